internal import CFFmpeg

/// Owns one `AVFrame` (`av_frame_alloc` / `av_frame_free`). Decoders fill it by reference;
/// frames that we write into (scaled pictures, resampled audio) own their buffers through
/// `allocateVideo` / `allocateAudio` and are reused with `makeWritable()`.
final class FFmpegFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws {
        guard let pointer = av_frame_alloc() else { throw FFmpeg.outOfMemory("av_frame_alloc") }
        self.pointer = pointer
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&pointer)
    }

    /// A frame with its own picture buffers of this size and pixel format.
    static func video(width: Int32, height: Int32, format: AVPixelFormat) throws -> FFmpegFrame {
        let frame = try FFmpegFrame()
        frame.pointer.pointee.width = width
        frame.pointer.pointee.height = height
        frame.pointer.pointee.format = format.rawValue
        try FFmpeg.check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer(video)")
        return frame
    }

    /// A frame with its own sample buffers for up to `capacity` samples.
    static func audio(capacity: Int32, format: AVSampleFormat, layout: AVChannelLayout, sampleRate: Int32) throws
        -> FFmpegFrame {
        let frame = try FFmpegFrame()
        var layout = layout
        try FFmpeg.check(av_channel_layout_copy(&frame.pointer.pointee.ch_layout, &layout), "av_channel_layout_copy")
        frame.pointer.pointee.nb_samples = capacity
        frame.pointer.pointee.format = format.rawValue
        frame.pointer.pointee.sample_rate = sampleRate
        try FFmpeg.check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer(audio)")
        return frame
    }

    /// Drops the buffer references (for frames filled by a decoder).
    func unref() {
        av_frame_unref(pointer)
    }

    /// Ensures no encoder still holds a reference to the buffers before they are overwritten.
    func makeWritable() throws {
        try FFmpeg.check(av_frame_make_writable(pointer), "av_frame_make_writable")
    }

    /// A new frame referencing the same buffers (no pixel copy).
    func clone() throws -> FFmpegFrame {
        let copy = try FFmpegFrame()
        try FFmpeg.check(av_frame_ref(copy.pointer, pointer), "av_frame_ref")
        return copy
    }

    var width: Int32 { pointer.pointee.width }
    var height: Int32 { pointer.pointee.height }
    var format: Int32 { pointer.pointee.format }
    var sampleCount: Int32 { pointer.pointee.nb_samples }

    /// The decoder's best guess of the presentation time, in the stream time base.
    var bestEffortTimestamp: Int64? {
        let value = pointer.pointee.best_effort_timestamp
        return value == FFmpeg.noTimestamp ? nil : value
    }

    /// Copies colour description (range, primaries, transfer, matrix) from a source picture.
    func copyColorProperties(from source: FFmpegFrame) {
        pointer.pointee.color_range = source.pointer.pointee.color_range
        pointer.pointee.color_primaries = source.pointer.pointee.color_primaries
        pointer.pointee.color_trc = source.pointer.pointee.color_trc
        pointer.pointee.colorspace = source.pointer.pointee.colorspace
        pointer.pointee.chroma_location = source.pointer.pointee.chroma_location
    }
}
