internal import CFFmpeg

/// Owns an `AVAudioFifo` that regroups resampled audio into the fixed frame size the AAC
/// encoder requires (1,024 samples).
final class FFmpegAudioFIFO {
    private let fifo: OpaquePointer

    init(format: AVSampleFormat, channels: Int32, capacity: Int32) throws {
        guard let fifo = av_audio_fifo_alloc(format, channels, capacity) else {
            throw FFmpeg.outOfMemory("av_audio_fifo_alloc")
        }
        self.fifo = fifo
    }

    deinit {
        av_audio_fifo_free(fifo)
    }

    /// Samples buffered.
    var count: Int32 { av_audio_fifo_size(fifo) }

    /// Appends the first `samples` samples of `frame`.
    func write(_ frame: FFmpegFrame, samples: Int32) throws {
        guard samples > 0 else { return }
        let planes = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data!)
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let written = av_audio_fifo_write(fifo, planes, samples)
        try FFmpeg.check(written, "av_audio_fifo_write")
    }

    /// Moves up to `samples` samples into `frame` (whose buffers must be writable); returns the
    /// number moved.
    func read(into frame: FFmpegFrame, samples: Int32) throws -> Int32 {
        let planes = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data!)
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let read = try FFmpeg.check(av_audio_fifo_read(fifo, planes, samples), "av_audio_fifo_read")
        frame.pointer.pointee.nb_samples = read
        return read
    }

    /// Discards the oldest `samples` samples.
    func drain(_ samples: Int32) {
        av_audio_fifo_drain(fifo, min(samples, count))
    }
}
