// System libopus. opus_encoder_ctl is variadic and its requests are macros, so each
// request the project uses gets a typed static inline wrapper here.
#ifndef STREAMLY_COPUS_SHIM_H
#define STREAMLY_COPUS_SHIM_H

#include <opus/opus.h>

/// opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate)). Returns OPUS_OK or an error code.
static inline int streamly_opus_encoder_set_bitrate(OpusEncoder *encoder, opus_int32 bitrate) {
    return opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate));
}

/// opus_encoder_ctl(encoder, OPUS_GET_BITRATE(&bitrate)). Returns OPUS_OK or an error code.
static inline int streamly_opus_encoder_get_bitrate(OpusEncoder *encoder, opus_int32 *bitrate) {
    return opus_encoder_ctl(encoder, OPUS_GET_BITRATE(bitrate));
}

/// opus_encoder_ctl(encoder, OPUS_SET_INBAND_FEC(enabled)). Returns OPUS_OK or an error code.
static inline int streamly_opus_encoder_set_inband_fec(OpusEncoder *encoder, opus_int32 enabled) {
    return opus_encoder_ctl(encoder, OPUS_SET_INBAND_FEC(enabled));
}

/// opus_encoder_ctl(encoder, OPUS_SET_PACKET_LOSS_PERC(percent)). Returns OPUS_OK or an error code.
static inline int streamly_opus_encoder_set_packet_loss_perc(OpusEncoder *encoder, opus_int32 percent) {
    return opus_encoder_ctl(encoder, OPUS_SET_PACKET_LOSS_PERC(percent));
}

#endif
