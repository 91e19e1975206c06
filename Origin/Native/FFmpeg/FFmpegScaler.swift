internal import CFFmpeg

/// Owns a `SwsContext` converting pictures to one fixed size and pixel format. The source side
/// is taken from each frame, so a mid-stream change of size or format rebuilds the context.
/// `threads` > 1 (or 0: one per core) lets libswscale split each picture into slices. The
/// source's range (limited or full, from the frame) is honoured; the output is limited range
/// unless `fullRange` (JPEG).
final class FFmpegScaler {
    let width: Int32
    let height: Int32
    let format: AVPixelFormat
    private let flags: Int32
    private let threads: Int32
    /// Whether the output uses the full (JPEG) range.
    let fullRange: Bool
    private var context: OpaquePointer?
    private var sourceKey: Key?

    private struct Key: Equatable {
        var width: Int32
        var height: Int32
        var format: Int32
        var fullRange: Bool
    }

    init(width: Int32, height: Int32, format: AVPixelFormat, flags: Int32 = SWS_BICUBIC, threads: Int32 = 1,
         fullRange: Bool = false) {
        self.width = width
        self.height = height
        self.format = format
        self.flags = flags
        self.threads = threads
        self.fullRange = fullRange
    }

    deinit {
        sws_freeContext(context)
    }

    /// Scales `source` into `destination` (whose buffers must be writable and of this size).
    func scale(_ source: FFmpegFrame, into destination: FFmpegFrame) throws {
        let key = Key(width: source.width, height: source.height, format: source.format,
                      fullRange: source.pointer.pointee.color_range == AVCOL_RANGE_JPEG)
        if context == nil || sourceKey != key {
            try configure(for: key)
        }
        try FFmpeg.check(sws_scale_frame(context, destination.pointer, source.pointer), "sws_scale_frame")
    }

    /// `sws_alloc_context` + options + `sws_init_context` (the only way to set `threads`).
    private func configure(for source: Key) throws {
        sws_freeContext(context)
        context = nil
        sourceKey = nil
        guard let fresh = sws_alloc_context() else { throw FFmpeg.outOfMemory("sws_alloc_context") }
        context = fresh
        let options: [(String, Int64)] = [
            ("srcw", Int64(source.width)), ("srch", Int64(source.height)), ("src_format", Int64(source.format)),
            ("dstw", Int64(width)), ("dsth", Int64(height)), ("dst_format", Int64(format.rawValue)),
            ("sws_flags", Int64(flags)), ("threads", Int64(threads)),
            ("src_range", source.fullRange ? 1 : 0), ("dst_range", fullRange ? 1 : 0),
        ]
        for (name, value) in options {
            try FFmpeg.check(av_opt_set_int(UnsafeMutableRawPointer(fresh), name, value, 0), "av_opt_set_int(\(name))")
        }
        let initialized = sws_init_context(fresh, nil, nil)
        guard initialized >= 0 else {
            throw OriginNativeError(
                code: .ffmpeg, message: "sws_init_context: cannot convert \(source.width)x\(source.height) "
                    + "format \(source.format): \(FFmpeg.errorDescription(initialized))", status: initialized)
        }
        sourceKey = source
    }
}
