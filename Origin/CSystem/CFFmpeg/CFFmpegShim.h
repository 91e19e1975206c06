// System FFmpeg: libavformat, libavcodec, libavutil, libswscale, libswresample.
// Only function-like macros and constants the importer cannot see are wrapped here.
#ifndef STREAMLY_CFFMPEG_SHIM_H
#define STREAMLY_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
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

/// AVERROR_INVALIDDATA: invalid data found when processing input.
static inline int streamly_AVERROR_INVALIDDATA(void) {
    return AVERROR_INVALIDDATA;
}

/// AV_NOPTS_VALUE: an undefined timestamp (the macro is an INT64_C cast the importer drops).
static inline int64_t streamly_AV_NOPTS_VALUE(void) {
    return AV_NOPTS_VALUE;
}

/// AV_TIME_BASE: the internal time base of libavformat (microseconds).
static inline int streamly_AV_TIME_BASE(void) {
    return AV_TIME_BASE;
}

/// AV_CHANNEL_LAYOUT_STEREO: a stereo channel layout (a compound literal in the header).
static inline AVChannelLayout streamly_AV_CHANNEL_LAYOUT_STEREO(void) {
    AVChannelLayout layout = AV_CHANNEL_LAYOUT_STEREO;
    return layout;
}

#endif
