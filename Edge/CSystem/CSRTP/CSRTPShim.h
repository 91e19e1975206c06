// System libsrtp 2 for SRTP/SRTCP protection on the edge. No macros need wrapping.
#ifndef STREAMLY_CSRTP_SHIM_H
#define STREAMLY_CSRTP_SHIM_H

#include <srtp2/srtp.h>

#endif
