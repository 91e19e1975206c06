import Foundation
import StreamLyRetry
import StreamLyTranscode

/// Settings of the transcode workers (`transcode.*`).
public struct TranscodeSettings: Sendable {
    /// Workers per origin (`transcode.workers`); 0 = this origin runs no transcodes.
    public var workers: Int = 1
    /// Attempts before a video is `failed` (`transcode.max.attempts`).
    public var maxAttempts: Int = 3
    /// First retry delay, doubled per attempt (`transcode.retry.base.ms`).
    public var retryBase: Duration = .seconds(2)
    /// x264 preset (`transcode.preset`).
    public var preset: String = "veryfast"
    /// A worker that has not renewed its lease for this long is taken to be dead and its video
    /// is taken over (`transcode.lease.seconds`); the lease is renewed every quarter of it.
    public var leaseSeconds: Double = 60
    /// Scratch space for sources and outputs (`transcode.work.dir`).
    public var workDirectory: String = NSTemporaryDirectory() + "streamly-transcode"
    /// Longest run of one attempt's worker process before it is killed (`transcode.timeout.seconds`).
    public var timeout: Duration = .seconds(14_400)
    /// Address-space limit of each worker process in bytes (`transcode.worker.max.memory`,
    /// `RLIMIT_AS`); nil: none.
    public var workerMaxMemory: Int? = 8 << 30
    /// What an input may be (`transcode.max.*`).
    public var limits = MediaLimits()
    /// Accepted input containers, as libavformat demuxer names (`transcode.input.formats`).
    public var inputFormats = TranscodeConfiguration.videoContainers
    var downloadChunkBytes = 8 << 20
    var uploadConcurrency = 4

    public init() {}

    /// How often a running job renews its lease, and how long a job waits for a video another
    /// worker holds: a quarter of `leaseSeconds`.
    var leaseRenewal: Duration { .seconds(leaseSeconds / 4) }

    /// Delays between attempts and the number of attempts.
    var retry: RetryPolicy { .transcode(base: retryBase, maxAttempts: maxAttempts) }
}
