internal import CFFmpeg

/// Owns a `SwsContext` converting pictures to one fixed size and pixel format. The source side
/// is taken from each frame, so a mid-stream change of size or format rebuilds the context
/// (`sws_getCachedContext`).
final class FFmpegScaler {
    let width: Int32
    let height: Int32
    let format: AVPixelFormat
    private let flags: Int32
    private var context: OpaquePointer?

    init(width: Int32, height: Int32, format: AVPixelFormat, flags: Int32 = SWS_BICUBIC) {
        self.width = width
        self.height = height
        self.format = format
        self.flags = flags
    }

    deinit {
        sws_freeContext(context)
    }

    /// Scales `source` into `destination` (whose buffers must be writable and of this size).
    func scale(_ source: FFmpegFrame, into destination: FFmpegFrame) throws {
        let sourceFormat = AVPixelFormat(rawValue: source.format)
        context = sws_getCachedContext(context, source.width, source.height, sourceFormat,
                                       width, height, format, flags, nil, nil, nil)
        guard let context else {
            throw OriginNativeError(
                code: .ffmpeg,
                message: "sws_getCachedContext: cannot convert \(source.width)x\(source.height) format \(source.format)")
        }
        try FFmpeg.check(sws_scale_frame(context, destination.pointer, source.pointer), "sws_scale_frame")
    }
}
