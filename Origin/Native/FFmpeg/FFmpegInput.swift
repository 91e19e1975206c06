internal import CFFmpeg

/// Owns a demuxing `AVFormatContext` (`avformat_open_input` / `avformat_close_input`) for a
/// local file, probed with `avformat_find_stream_info`.
final class FFmpegInput {
    let context: UnsafeMutablePointer<AVFormatContext>

    /// Opens and probes `path`. Failures are `.invalidMedia` with FFmpeg's reason, e.g.
    /// "cannot open input: Invalid data found when processing input".
    init(path: String) throws {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let opened = avformat_open_input(&context, path, nil, nil)
        guard opened >= 0, let context else {
            throw OriginNativeError(
                code: .invalidMedia, message: "cannot open input: \(FFmpeg.errorDescription(opened))", status: opened)
        }
        self.context = context
        let probed = avformat_find_stream_info(context, nil)
        guard probed >= 0 else {
            throw OriginNativeError(
                code: .invalidMedia, message: "cannot read stream info: \(FFmpeg.errorDescription(probed))",
                status: probed)
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&context)
    }

    /// The demuxer's short name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    var formatName: String { String(cString: context.pointee.iformat.pointee.name) }

    /// The container duration in seconds, when known.
    var duration: Double? {
        let duration = context.pointee.duration
        guard duration != FFmpeg.noTimestamp, duration > 0 else { return nil }
        return FFmpeg.seconds(duration, FFmpeg.microseconds)
    }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream> {
        context.pointee.streams[Int(index)]!
    }

    /// The index of the stream `av_find_best_stream` picks for this media type, skipping
    /// attached pictures (cover art); nil when there is none.
    func bestStream(_ type: AVMediaType) -> Int32? {
        let index = av_find_best_stream(context, type, -1, -1, nil, 0)
        guard index >= 0 else { return nil }
        if stream(index).pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 { return nil }
        return index
    }

    /// Reads the next packet into `packet`; false at the end of the input.
    func read(into packet: FFmpegPacket) throws -> Bool {
        let result = av_read_frame(context, packet.pointer)
        if result == FFmpeg.endOfFile { return false }
        try FFmpeg.check(result, "av_read_frame")
        return true
    }

    /// `av_guess_frame_rate` for a stream (from the container and codec headers).
    func guessFrameRate(_ index: Int32) -> AVRational {
        av_guess_frame_rate(context, stream(index), nil)
    }
}
