internal import CFFmpeg

/// Owns an `AVCodecContext` (`avcodec_alloc_context3` / `avcodec_free_context`), a decoder or
/// an encoder, with the send/receive calls of libavcodec's API.
final class FFmpegCodecContext {
    /// What a receive call produced.
    enum Output {
        /// A frame or packet was written to the destination.
        case produced
        /// The codec needs more input first.
        case needsInput
        /// The codec is fully drained.
        case endOfStream
    }

    let pointer: UnsafeMutablePointer<AVCodecContext>

    private init(codec: UnsafePointer<AVCodec>) throws {
        guard let pointer = avcodec_alloc_context3(codec) else { throw FFmpeg.outOfMemory("avcodec_alloc_context3") }
        self.pointer = pointer
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&pointer)
    }

    /// An opened decoder for a demuxed stream; `threads` 0 lets libavcodec pick.
    static func decoder(for stream: UnsafeMutablePointer<AVStream>, threads: Int32 = 0) throws -> FFmpegCodecContext {
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw OriginNativeError(code: .invalidMedia, message: "no decoder for codec \(name)")
        }
        let context = try FFmpegCodecContext(codec: codec)
        try FFmpeg.check(avcodec_parameters_to_context(context.pointer, parameters), "avcodec_parameters_to_context")
        context.pointer.pointee.pkt_timebase = stream.pointee.time_base
        context.pointer.pointee.thread_count = threads
        let opened = avcodec_open2(context.pointer, codec, nil)
        guard opened >= 0 else {
            throw OriginNativeError(
                code: .invalidMedia,
                message: "cannot open \(String(cString: codec.pointee.name)) decoder: \(FFmpeg.errorDescription(opened))",
                status: opened)
        }
        return context
    }

    /// An encoder by name, not yet opened: set its fields, then call `open(options:)`.
    static func encoder(named name: String) throws -> FFmpegCodecContext {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw OriginNativeError(code: .ffmpeg, message: "encoder \(name) is not available in this FFmpeg build")
        }
        return try FFmpegCodecContext(codec: codec)
    }

    /// Opens an encoder with private options (e.g. x264's `preset`); an unknown option is an error.
    func open(options: [(String, String)]) throws {
        let dictionary = try FFmpegDictionary(options)
        // Read before opening: a failed avcodec_open2 clears `codec`.
        guard let codec = pointer.pointee.codec else { throw OriginNativeError(code: .ffmpeg, message: "no codec") }
        let name = String(cString: codec.pointee.name)
        try FFmpeg.check(avcodec_open2(pointer, codec, &dictionary.pointer), "avcodec_open2(\(name))")
        try dictionary.requireAllConsumed(by: "avcodec_open2")
    }

    /// The codec's out-of-band headers (e.g. H.264 SPS/PPS), empty when there are none.
    var extradata: [UInt8] {
        guard let data = pointer.pointee.extradata, pointer.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(pointer.pointee.extradata_size)))
    }

    // MARK: Decoding

    /// Sends a packet (nil to start draining). Returns the raw status so the caller can decide
    /// how to treat damaged input (`AVERROR_INVALIDDATA`).
    func send(_ packet: FFmpegPacket?) -> Int32 {
        avcodec_send_packet(pointer, packet?.pointer)
    }

    /// Receives the next decoded frame. Damaged input is an error here; a caller that skips it
    /// calls `avcodec_receive_frame` itself and compares with `FFmpeg.invalidData`.
    func receive(into frame: FFmpegFrame) throws -> Output {
        let result = avcodec_receive_frame(pointer, frame.pointer)
        return try Self.output(result, "avcodec_receive_frame")
    }

    // MARK: Encoding

    /// Sends a frame (nil to start draining).
    func send(_ frame: FFmpegFrame?) throws {
        try FFmpeg.check(avcodec_send_frame(pointer, frame?.pointer), "avcodec_send_frame")
    }

    func receive(into packet: FFmpegPacket) throws -> Output {
        let result = avcodec_receive_packet(pointer, packet.pointer)
        return try Self.output(result, "avcodec_receive_packet")
    }

    private static func output(_ result: Int32, _ operation: String) throws -> Output {
        if result == FFmpeg.again { return .needsInput }
        if result == FFmpeg.endOfFile { return .endOfStream }
        try FFmpeg.check(result, operation)
        return .produced
    }
}
