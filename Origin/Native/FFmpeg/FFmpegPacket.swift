internal import CFFmpeg

/// Owns one `AVPacket` (`av_packet_alloc` / `av_packet_free`). The packet is reused: each
/// producer call (`av_read_frame`, `avcodec_receive_packet`) fills it, and whoever consumes it
/// unreferences it or hands the reference to a muxer.
final class FFmpegPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws {
        guard let pointer = av_packet_alloc() else { throw FFmpeg.outOfMemory("av_packet_alloc") }
        self.pointer = pointer
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&pointer)
    }

    /// Drops the payload reference; the packet can be filled again.
    func unref() {
        av_packet_unref(pointer)
    }

    /// Makes this packet a new reference to `other`'s payload (no copy of the bytes).
    func ref(_ other: FFmpegPacket) throws {
        av_packet_unref(pointer)
        try FFmpeg.check(av_packet_ref(pointer, other.pointer), "av_packet_ref")
    }

    var streamIndex: Int32 {
        get { pointer.pointee.stream_index }
        set { pointer.pointee.stream_index = newValue }
    }

    var isKeyframe: Bool { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }

    /// The payload bytes (valid until the packet is unreferenced).
    var bytes: UnsafeRawBufferPointer {
        guard let data = pointer.pointee.data else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: data, count: Int(pointer.pointee.size))
    }

    /// Converts pts, dts and duration from one time base to another.
    func rescaleTimestamps(from source: AVRational, to destination: AVRational) {
        av_packet_rescale_ts(pointer, source, destination)
    }
}
