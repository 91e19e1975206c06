internal import CFFmpeg

/// Owns a `SwrContext` converting decoded audio to one fixed sample format, rate and channel
/// layout. The input side is taken from each frame; a change rebuilds the context.
final class FFmpegResampler {
    private let outputLayout: AVChannelLayout
    private let outputFormat: AVSampleFormat
    private let outputRate: Int32
    private var context: OpaquePointer?
    private var inputKey: (format: Int32, rate: Int32, channels: Int32)?

    init(layout: AVChannelLayout, format: AVSampleFormat, sampleRate: Int32) {
        self.outputLayout = layout
        self.outputFormat = format
        self.outputRate = sampleRate
    }

    deinit {
        swr_free(&context)
    }

    /// The most samples `convert` can produce for `inputSamples` more input.
    func maximumOutput(forInput inputSamples: Int32) -> Int32 {
        guard let context else { return inputSamples }
        return swr_get_out_samples(context, inputSamples)
    }

    /// Converts `source` (nil drains the internal buffer) into `destination`, which has room for
    /// `destination.pointer.pointee.nb_samples` samples; returns the number of samples written.
    func convert(_ source: FFmpegFrame?, into destination: FFmpegFrame, capacity: Int32) throws -> Int32 {
        if let source { try configure(for: source) }
        guard let context else { return 0 }
        let output = destination.pointer.pointee.extended_data!
        let count: Int32
        if let source {
            let input = UnsafeMutableRawPointer(source.pointer.pointee.extended_data!)
                .assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
            count = swr_convert(context, output, capacity, input, source.sampleCount)
        } else {
            count = swr_convert(context, output, capacity, nil, 0)
        }
        return try FFmpeg.check(count, "swr_convert")
    }

    private func configure(for frame: FFmpegFrame) throws {
        let raw = frame.pointer.pointee
        let key = (format: raw.format, rate: raw.sample_rate, channels: raw.ch_layout.nb_channels)
        if let inputKey, inputKey == key, context != nil { return }
        swr_free(&context)
        var inputLayout = AVChannelLayout()
        if raw.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inputLayout, raw.ch_layout.nb_channels)
        } else {
            var source = raw.ch_layout
            try FFmpeg.check(av_channel_layout_copy(&inputLayout, &source), "av_channel_layout_copy")
        }
        defer { av_channel_layout_uninit(&inputLayout) }
        var outputLayout = outputLayout
        try FFmpeg.check(
            swr_alloc_set_opts2(&context, &outputLayout, outputFormat, outputRate,
                                &inputLayout, AVSampleFormat(rawValue: raw.format), raw.sample_rate, 0, nil),
            "swr_alloc_set_opts2")
        try FFmpeg.check(swr_init(context), "swr_init")
        inputKey = key
    }
}
