import Foundation
internal import CFFmpeg

/// Writes `poster.jpg`: the first decoded picture at or after a target time (e.g. 10% into the
/// video), or the very first picture when the target is never reached, scaled and encoded with
/// libavcodec's `mjpeg` encoder. The encoder's packet is a complete JFIF file.
package final class PosterWriter {
    private let path: String
    private let width: Int32
    private let height: Int32
    private let targetSeconds: Double
    private var fallback: FFmpegFrame?
    private(set) var isWritten = false

    package init(path: String, width: Int, height: Int, targetSeconds: Double) {
        self.path = path
        self.width = Int32(width)
        self.height = Int32(height)
        self.targetSeconds = targetSeconds
    }

    /// Looks at a decoded picture (at `seconds` from the start); writes the poster when the
    /// target time is reached, otherwise keeps a reference to the first picture.
    func consider(_ frame: FFmpegFrame, seconds: Double) throws {
        guard !isWritten else { return }
        if seconds >= targetSeconds {
            try write(frame)
            fallback = nil
        } else if fallback == nil {
            fallback = try frame.clone()
        }
    }

    /// Writes the poster from the first picture if the target was never reached.
    package func finish() throws {
        guard !isWritten, let fallback else { return }
        try write(fallback)
        self.fallback = nil
    }

    private func write(_ frame: FFmpegFrame) throws {
        // Full-range 4:2:0, as JPEG wants (YUV420P + JPEG range rather than the deprecated YUVJ420P).
        let picture = try FFmpegFrame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        try FFmpegScaler(width: width, height: height, format: AV_PIX_FMT_YUV420P, fullRange: true)
            .scale(frame, into: picture)
        picture.pointer.pointee.color_range = AVCOL_RANGE_JPEG
        let encoder = try FFmpegCodecContext.encoder(named: "mjpeg")
        let context = encoder.pointer
        context.pointee.width = width
        context.pointee.height = height
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.color_range = AVCOL_RANGE_JPEG
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        // Quality 3 on mjpeg's 2 (best) ... 31 scale, as `ffmpeg -q:v 3`.
        context.pointee.global_quality = 3 * FF_QP2LAMBDA
        try encoder.open(options: [])
        picture.pointer.pointee.quality = context.pointee.global_quality
        picture.pointer.pointee.pts = 0
        try encoder.send(picture)
        try encoder.send(nil as FFmpegFrame?)
        let packet = try FFmpegPacket()
        var jpeg = Data()
        while try encoder.receive(into: packet) == .produced {
            jpeg.append(contentsOf: packet.bytes)
            packet.unref()
        }
        guard !jpeg.isEmpty else { throw OriginNativeError(code: .ffmpeg, message: "mjpeg encoder produced no image") }
        do {
            try jpeg.write(to: URL(fileURLWithPath: path))
        } catch {
            throw OriginNativeError(code: .io, message: "cannot write \(path): \(error)")
        }
        isWritten = true
    }
}
