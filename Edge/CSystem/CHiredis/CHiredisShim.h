// System hiredis: only the RESP parser (redisReader) and command formatter
// (redisFormatCommandArgv) are used; hiredis networking is not. No macros need wrapping.
#ifndef STREAMLY_CHIREDIS_SHIM_H
#define STREAMLY_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>

#endif
