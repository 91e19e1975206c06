internal import CFFmpeg

/// One rung of the ladder: a scaler (skipped when the decoded picture already has the rung's
/// size and format), a libx264 encoder and an `hls` muxer writing `<dir>/index.m3u8`,
/// `<dir>/init.mp4` and `<dir>/seg_NNNNN.m4s` (fMP4). Audio packets from the shared AAC encode
/// are muxed in beside the video.
package final class VideoRungEncoder {
    private let width: Int32
    private let height: Int32
    private let encoder: FFmpegCodecContext
    private let output: FFmpegOutput
    private let scaler: FFmpegScaler
    private let scaled: FFmpegFrame
    private let packet: FFmpegPacket
    private let videoStream: Int32
    private let audioStream: Int32?
    private let encoderTimeBase: AVRational
    private let audioTimeBase: AVRational?
    private var videoMuxTimeBase = AVRational(num: 0, den: 1)
    private var audioMuxTimeBase = AVRational(num: 0, den: 1)

    /// The encoder's extradata (its SPS and PPS), from which the `avc1.PPCCLL` codec string is read.
    package let extradata: [UInt8]

    /// Opens the encoder and the muxer and writes the init segment.
    ///
    /// - Parameters:
    ///   - width, height: the rung's picture size.
    ///   - videoBitrate, maxBitrate, bufferSize: x264 ABR rate control (`b`, `maxrate`, `bufsize`).
    ///   - source: the input; its video time base (the unit of the pts values passed to
    ///     `encode`), frame rate (which sets the GOP length) and colour description are used.
    ///   - preset: the x264 preset.
    ///   - segmentDuration: the HLS segment length in seconds (also the GOP length).
    package init(width: Int, height: Int, videoBitrate: Int, maxBitrate: Int, bufferSize: Int, directory: String,
                 source: TranscodeSource, audio: AudioTrackEncoder?, preset: String, segmentDuration: Double) throws {
        let timeBase = source.videoTimeBase
        let frameRate = source.frameRate
        let colors = source.videoParameters
        self.width = Int32(width)
        self.height = Int32(height)
        output = try FFmpegOutput(format: "hls", path: directory + "/index.m3u8")
        encoder = try FFmpegCodecContext.encoder(named: "libx264")
        let context = encoder.pointer
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        context.pointee.time_base = timeBase
        context.pointee.framerate = frameRate
        context.pointee.bit_rate = Int64(videoBitrate)
        context.pointee.rc_max_rate = Int64(maxBitrate)
        context.pointee.rc_buffer_size = Int32(clamping: bufferSize)
        let framesPerSecond = Double(frameRate.num) / Double(max(frameRate.den, 1))
        let gop = Int32(max(1, (framesPerSecond * segmentDuration).rounded()))
        context.pointee.gop_size = gop
        context.pointee.keyint_min = gop
        context.pointee.thread_count = 0
        context.pointee.color_range = AVCOL_RANGE_MPEG  // sws converts full-range sources
        context.pointee.color_primaries = colors.pointee.color_primaries
        context.pointee.color_trc = colors.pointee.color_trc
        context.pointee.colorspace = colors.pointee.color_space
        context.pointee.chroma_sample_location = colors.pointee.chroma_location
        if output.wantsGlobalHeader { context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        try encoder.open(options: [
            ("preset", preset),
            ("forced-idr", "1"),
            ("x264-params", "scenecut=0:open-gop=0"),
        ])
        encoderTimeBase = timeBase
        extradata = encoder.extradata

        videoStream = try output.addStream(for: encoder)
        if let audio {
            audioStream = try output.addStream(for: audio.encoder)
            audioTimeBase = audio.timeBase
        } else {
            audioStream = nil
            audioTimeBase = nil
        }
        try output.writeHeader(options: [
            ("hls_segment_type", "fmp4"),
            ("hls_time", String(segmentDuration)),
            ("hls_playlist_type", "vod"),
            ("hls_flags", "independent_segments"),
            ("hls_fmp4_init_filename", "init.mp4"),
            ("hls_segment_filename", directory + "/seg_%05d.m4s"),
            ("start_number", "1"),
        ])
        videoMuxTimeBase = output.timeBase(of: videoStream)
        if let audioStream { audioMuxTimeBase = output.timeBase(of: audioStream) }

        scaler = FFmpegScaler(width: Int32(width), height: Int32(height), format: AV_PIX_FMT_YUV420P, threads: 0)
        scaled = try FFmpegFrame.video(width: Int32(width), height: Int32(height), format: AV_PIX_FMT_YUV420P)
        packet = try FFmpegPacket()
    }

    /// Encodes one decoded picture whose `pts` and `pict_type` the caller has already set
    /// (`AV_PICTURE_TYPE_I` on segment boundaries, `NONE` elsewhere). The picture is scaled into
    /// this rung's own buffer unless it already fits (size, 4:2:0 8-bit, limited range), in which
    /// case it is sent as is (libavcodec takes a reference, no copy in Swift).
    func encode(_ frame: FFmpegFrame) throws {
        if frame.width == width, frame.height == height,
           frame.format == AV_PIX_FMT_YUV420P.rawValue, frame.pointer.pointee.color_range != AVCOL_RANGE_JPEG {
            try encoder.send(frame)
        } else {
            try scaled.makeWritable()
            try scaler.scale(frame, into: scaled)
            scaled.copyColorProperties(from: frame)
            scaled.pointer.pointee.color_range = AVCOL_RANGE_MPEG
            scaled.pointer.pointee.pts = frame.pointer.pointee.pts
            scaled.pointer.pointee.pict_type = frame.pointer.pointee.pict_type
            try encoder.send(scaled)
        }
        try drainVideo()
    }

    /// Muxes this rung's own reference to a packet of the shared audio encode.
    func write(audio shared: FFmpegPacket) throws {
        guard let audioStream, let audioTimeBase else { return }
        try packet.ref(shared)
        packet.streamIndex = audioStream
        packet.rescaleTimestamps(from: audioTimeBase, to: audioMuxTimeBase)
        try output.write(packet)
    }

    /// Drains the encoder's delayed frames into the muxer.
    func flushVideo() throws {
        try encoder.send(nil as FFmpegFrame?)
        try drainVideo()
    }

    /// Writes the last segment and the final `index.m3u8`.
    package func finish() throws {
        try output.finish()
    }

    private func drainVideo() throws {
        while try encoder.receive(into: packet) == .produced {
            packet.streamIndex = videoStream
            packet.rescaleTimestamps(from: encoderTimeBase, to: videoMuxTimeBase)
            try output.write(packet)
        }
    }
}
