// System FFmpeg: libavformat, libavcodec, libavutil, libswscale, libswresample.
// Only function-like macros are wrapped here.
#ifndef STREAMLY_CFFMPEG_SHIM_H
#define STREAMLY_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

/// AVERROR(e): the FFmpeg error code for a POSIX errno value.
static inline int streamly_AVERROR(int posixError) {
    return AVERROR(posixError);
}

/// AVERROR_EOF: end of file / end of stream.
static inline int streamly_AVERROR_EOF(void) {
    return AVERROR_EOF;
}

#endif
