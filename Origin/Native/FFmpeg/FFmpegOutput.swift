internal import CFFmpeg

/// Owns a muxing `AVFormatContext` (`avformat_alloc_output_context2` / `avformat_free_context`)
/// and, unless the muxer opens its own files (`AVFMT_NOFILE`, e.g. `hls`), its `AVIOContext`.
final class FFmpegOutput {
    let context: UnsafeMutablePointer<AVFormatContext>
    private var ownsIO = false
    private var headerWritten = false

    /// Allocates a muxer by short name, e.g. "hls", writing to `path`.
    init(format: String, path: String) throws {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try FFmpeg.check(avformat_alloc_output_context2(&context, nil, format, path),
                         "avformat_alloc_output_context2(\(format))")
        guard let context else { throw FFmpeg.outOfMemory("avformat_alloc_output_context2") }
        self.context = context
    }

    deinit {
        // A muxer abandoned after its header (an error or a cancelled job) still has files open:
        // some muxers (`hls` with fMP4) only close them in the trailer, not in their deinit.
        if headerWritten { _ = av_write_trailer(context) }
        if ownsIO { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// Whether encoders feeding this muxer must put their headers in extradata.
    var wantsGlobalHeader: Bool { context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 }

    /// Adds a stream described by an opened encoder; returns its index.
    func addStream(for encoder: FFmpegCodecContext) throws -> Int32 {
        guard let stream = avformat_new_stream(context, nil) else { throw FFmpeg.outOfMemory("avformat_new_stream") }
        try FFmpeg.check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.pointer),
                         "avcodec_parameters_from_context")
        stream.pointee.time_base = encoder.pointer.pointee.time_base
        stream.pointee.avg_frame_rate = encoder.pointer.pointee.framerate
        return stream.pointee.index
    }

    /// The time base the muxer chose for a stream (valid after `writeHeader`).
    func timeBase(of index: Int32) -> AVRational {
        context.pointee.streams[Int(index)]!.pointee.time_base
    }

    /// Opens the file (if the muxer needs us to) and writes the header with these muxer options;
    /// an option the muxer does not know is an error.
    func writeHeader(options: [(String, String)]) throws {
        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            try FFmpeg.check(avio_open(&context.pointee.pb, context.pointee.url, AVIO_FLAG_WRITE), "avio_open")
            ownsIO = true
        }
        let dictionary = try FFmpegDictionary(options)
        try FFmpeg.check(avformat_write_header(context, &dictionary.pointer), "avformat_write_header")
        try dictionary.requireAllConsumed(by: "avformat_write_header")
        headerWritten = true
    }

    /// Hands the packet's reference to the muxer (`av_interleaved_write_frame`); the packet is
    /// left blank.
    func write(_ packet: FFmpegPacket) throws {
        try FFmpeg.check(av_interleaved_write_frame(context, packet.pointer), "av_interleaved_write_frame")
    }

    /// Flushes interleaving queues and writes the trailer (for `hls`: the last segment and the
    /// final playlist).
    func finish() throws {
        guard headerWritten else { return }
        headerWritten = false
        try FFmpeg.check(av_write_trailer(context), "av_write_trailer")
    }
}
