import Foundation
import Synchronization

/// Turns a local video file into a VOD HLS ladder (fMP4/CMAF) in one process with libavformat,
/// libavcodec, libswscale and libswresample.
///
/// The input is decoded once. Each picture is scaled to every rung of the configured ladder that
/// is not taller than the source (1080p, 720p, 480p by default; a smaller source gets one rung
/// at its own size) and encoded with libx264; audio is resampled to 48 kHz stereo and encoded
/// once with AAC, and every rung muxes its own reference to each audio packet. IDR frames are
/// forced on the same pictures in every rung at each multiple of the segment duration (no
/// scene-cut keyframes), so segments line up across renditions. libavformat's `hls` muxer writes
/// each rung; `Transcoder` writes `master.m3u8` with bit rates measured from the segments, and
/// a JPEG poster.
///
/// Output layout (file names are deterministic, so a redone job overwrites the same keys):
/// ```
/// <out>/master.m3u8
/// <out>/poster.jpg
/// <out>/<rung>/index.m3u8, init.mp4, seg_00001.m4s, seg_00002.m4s, ...
/// ```
///
/// Errors are `OriginNativeError`: `.invalidMedia` for input that is not a usable video
/// ("cannot open input: Invalid data found when processing input", "input has no video stream",
/// "unsupported input format: tty"), `.cancelled`, `.io`, `.ffmpeg`.
public struct Transcoder: Sendable {
    /// Ladder, codec and packaging settings.
    public var configuration: TranscodeConfiguration

    /// Creates a transcoder with these settings.
    public init(configuration: TranscodeConfiguration = TranscodeConfiguration()) {
        self.configuration = configuration
    }

    /// Transcodes `input` into `outputDirectory` on a dedicated thread, so the blocking FFmpeg
    /// work never occupies the cooperative pool.
    ///
    /// Cancelling the calling task stops the job at the next packet; it then throws `.cancelled`
    /// and the output directory holds an incomplete ladder (a rerun replaces it).
    ///
    /// - Parameters:
    ///   - progress: called on the transcode thread with values in 0...1 that never decrease,
    ///     at most every 1% or 0.5 s, and exactly once with 1.0 on success.
    public func transcode(
        input: String, outputDirectory: String, progress: @escaping @Sendable (Double) -> Void = { _ in }
    ) async throws -> TranscodeResult {
        let stop = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TranscodeResult, any Error>) in
                let thread = Thread { [self] in
                    let result = Result {
                        try transcodeBlocking(input: input, outputDirectory: outputDirectory, progress: progress,
                                              shouldContinue: { !stop.isSet })
                    }
                    continuation.resume(with: result)
                }
                thread.name = "streamly-transcode"
                thread.stackSize = 8 << 20
                if Task.isCancelled { stop.set() }
                thread.start()
            }
        } onCancel: {
            stop.set()
        }
    }

    /// Transcodes on the calling thread, blocking it until the ladder is written. Use from a
    /// thread you own (e.g. a worker thread), never from a Swift concurrency task.
    ///
    /// - Parameters:
    ///   - progress: as for `transcode(input:outputDirectory:progress:)`, on the calling thread.
    ///   - shouldContinue: checked before every demuxed packet (about once per frame); returning
    ///     false stops the job with `.cancelled`.
    public func transcodeBlocking(
        input: String, outputDirectory: String, progress: (Double) -> Void = { _ in },
        shouldContinue: () -> Bool = { true }
    ) throws -> TranscodeResult {
        try withoutActuallyEscaping(progress) { progress in
            try withoutActuallyEscaping(shouldContinue) { shouldContinue in
                try TranscodeJob(configuration: configuration, inputPath: input, outputDirectory: outputDirectory,
                                 progress: progress, shouldContinue: shouldContinue).run()
            }
        }
    }
}

/// A one-way flag set by task cancellation and read by the transcode thread.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .relaxed) }

    func set() { value.store(true, ordering: .relaxed) }
}
