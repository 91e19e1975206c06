internal import CFFmpeg

/// The single AAC encode shared by every rung: decoded audio → swresample (stereo, planar
/// float, 48 kHz) → an audio FIFO → 1,024-sample frames → the `aac` encoder. Each encoded packet
/// is handed to a closure that gives every rung its own reference to it.
///
/// Audio is buffered until the video's first timestamp (the origin) is known, then placed on
/// the same clock: a late start becomes a pts offset, an early start drops the samples before it.
/// An offset beyond `maxStartOffsetSeconds` (a crafted timestamp) is `.invalidMedia`, never a trap.
package final class AudioTrackEncoder {
    let encoder: FFmpegCodecContext
    private let resampler: FFmpegResampler
    private let fifo: FFmpegAudioFIFO
    private let frameSize: Int32
    private let sampleRate: Int32
    private let layout: AVChannelLayout
    private var converted: FFmpegFrame
    private var convertedCapacity: Int32
    private let encodeFrame: FFmpegFrame
    private let packet: FFmpegPacket
    /// Seconds of the first decoded audio sample on the input's clock.
    private var firstInputSeconds: Double?
    /// Samples still to discard (audio that starts before the video).
    private var samplesToDrop: Int64 = 0
    /// Seconds of the video's first picture on the input clock: output time zero.
    private var origin: Double?
    private var aligned = false
    private var nextPts: Int64 = 0
    /// The largest distance between the first audio sample and the first picture.
    private let maxStartOffsetSeconds: Double

    var timeBase: AVRational { encoder.pointer.pointee.time_base }

    package init(bitrate: Int, sampleRate: Int, globalHeader: Bool, maxStartOffsetSeconds: Double = 86_400) throws {
        self.maxStartOffsetSeconds = maxStartOffsetSeconds
        let rate = Int32(sampleRate)
        let layout = streamly_AV_CHANNEL_LAYOUT_STEREO()
        let encoder = try FFmpegCodecContext.encoder(named: "aac")
        let context = encoder.pointer
        context.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        context.pointee.sample_rate = rate
        var stereo = layout
        try FFmpeg.check(av_channel_layout_copy(&context.pointee.ch_layout, &stereo), "av_channel_layout_copy")
        context.pointee.bit_rate = Int64(bitrate)
        context.pointee.time_base = AVRational(num: 1, den: rate)
        if globalHeader { context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        try encoder.open(options: [])
        self.encoder = encoder
        self.sampleRate = rate
        self.layout = layout
        frameSize = context.pointee.frame_size > 0 ? context.pointee.frame_size : 1024
        resampler = FFmpegResampler(layout: layout, format: AV_SAMPLE_FMT_FLTP, sampleRate: rate)
        fifo = try FFmpegAudioFIFO(format: AV_SAMPLE_FMT_FLTP, channels: 2, capacity: frameSize * 8)
        convertedCapacity = 4096
        converted = try FFmpegFrame.audio(capacity: convertedCapacity, format: AV_SAMPLE_FMT_FLTP, layout: layout,
                                          sampleRate: rate)
        encodeFrame = try FFmpegFrame.audio(capacity: frameSize, format: AV_SAMPLE_FMT_FLTP, layout: layout,
                                            sampleRate: rate)
        packet = try FFmpegPacket()
    }

    /// Resamples a decoded frame into the FIFO. `seconds` is its timestamp on the input clock.
    func push(_ frame: FFmpegFrame, seconds: Double?) throws {
        if firstInputSeconds == nil { firstInputSeconds = seconds ?? 0 }
        let needed = resampler.maximumOutput(forInput: frame.sampleCount) + 256
        if needed > convertedCapacity {
            convertedCapacity = needed
            converted = try FFmpegFrame.audio(capacity: needed, format: AV_SAMPLE_FMT_FLTP, layout: layout,
                                              sampleRate: sampleRate)
        }
        try converted.makeWritable()
        let count = try resampler.convert(frame, into: converted, capacity: convertedCapacity)
        try fifo.write(converted, samples: count)
    }

    /// Fixes output time zero: the video's first timestamp (seconds on the input clock).
    func start(videoOriginSeconds origin: Double) {
        if self.origin == nil { self.origin = origin }
    }

    /// Once both the origin and the first audio timestamp are known, turns their difference
    /// into a pts offset (audio starts later) or samples to drop (audio starts earlier).
    private func alignIfPossible() throws {
        guard !aligned, let origin, let first = firstInputSeconds else { return }
        let distance = first - origin
        guard distance.isFinite, abs(distance) <= maxStartOffsetSeconds else {
            throw OriginNativeError(code: .invalidMedia, message: "audio starts \(distance) s away from the video "
                                    + "(limit \(maxStartOffsetSeconds) s)")
        }
        aligned = true
        let offset = distance * Double(sampleRate)
        if offset >= 0 {
            nextPts = Int64(offset.rounded())
        } else {
            samplesToDrop = Int64((-offset).rounded())
        }
    }

    /// Encodes every full frame in the FIFO; with `flush`, also the remainder, then drains the
    /// encoder. Each packet is passed to `deliver` and unreferenced afterwards. Does nothing
    /// before the origin and the first audio timestamp are known.
    func encode(flush: Bool, deliver: (FFmpegPacket) throws -> Void) throws {
        if flush, origin == nil { origin = firstInputSeconds ?? 0 }
        try alignIfPossible()
        guard aligned else { return }
        if flush {
            try converted.makeWritable()
            let tail = try resampler.convert(nil, into: converted, capacity: convertedCapacity)
            try fifo.write(converted, samples: tail)
        }
        dropLeadingSamples()
        while fifo.count >= frameSize || (flush && fifo.count > 0) {
            try encodeFrame.makeWritable()
            let count = try fifo.read(into: encodeFrame, samples: frameSize)
            encodeFrame.pointer.pointee.pts = nextPts
            let (advanced, overflow) = nextPts.addingReportingOverflow(Int64(count))
            guard !overflow else { throw OriginNativeError(code: .invalidMedia, message: "audio timestamp out of range") }
            nextPts = advanced
            try encoder.send(encodeFrame)
            try drain(deliver)
        }
        if flush {
            try encoder.send(nil as FFmpegFrame?)
            try drain(deliver)
        }
    }

    private func dropLeadingSamples() {
        guard samplesToDrop > 0 else { return }
        let dropped = min(Int64(fifo.count), samplesToDrop)
        fifo.drain(Int32(dropped))
        samplesToDrop -= dropped
    }

    private func drain(_ deliver: (FFmpegPacket) throws -> Void) throws {
        while try encoder.receive(into: packet) == .produced {
            defer { packet.unref() }
            try deliver(packet)
        }
    }
}
