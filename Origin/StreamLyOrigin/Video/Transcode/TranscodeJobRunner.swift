import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import StreamLyAPI
import StreamLyOriginNative
import StreamLyStorage
import StreamLyStore
import StreamLyTranscode
import Synchronization

/// Runs one transcode job to its end: downloads the uploaded source, runs the in-process
/// ladder (`Transcoder`), uploads every output under `vod/{id}/`, and marks the video ready.
/// Retries with exponential backoff; input that is not a usable video fails at once with
/// FFmpeg's reason; after `maxAttempts` attempts (a worker that died mid-job counts as one)
/// the video is `failed` with the last reason. Outputs have fixed keys, so a redone job
/// overwrites the same objects.
struct TranscodeJobRunner: Sendable {
    let videos: VideoStore
    let store: any ObjectStore
    let events: VideoEvents
    let transcoder: Transcoder
    let settings: TranscodeSettings
    let active: ActiveTranscodes
    let logger: Logger

    /// How a job ended for the worker: commit its offset unless `interrupted`.
    enum Outcome: Equatable, Sendable {
        case ready, failed, skipped, interrupted
    }

    static func sourceKey(_ id: UUID) -> String { "uploads/\(id.uuidString.lowercased())/source" }
    static func outputPrefix(_ id: UUID) -> String { "vod/\(id.uuidString.lowercased())/" }

    func run(_ id: UUID) async -> Outcome {
        var lastError: String?
        while !Task.isCancelled {
            let attempt: Int
            do {
                switch try await videos.startAttempt(id: id, lease: settings.leaseSeconds) {
                case .finished:
                    return .skipped
                case .busy:
                    // Another worker holds it: wait for it to finish or for its lease to lapse.
                    if await pause(.seconds(settings.leaseSeconds / 4)) { continue } else { return .interrupted }
                case .started(let number):
                    attempt = number
                }
            } catch {
                logger.warning("transcode: cannot start attempt", metadata: ["video": "\(id)", "error": "\(error)"])
                if await pause(.seconds(2)) { continue } else { return .interrupted }
            }
            guard attempt <= settings.maxAttempts else {
                return await fail(id, attempt: attempt,
                                  "gave up after \(settings.maxAttempts) attempts: \(lastError ?? "a worker stopped mid-job")")
            }
            await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: "transcoding", progress: 0))
            let started = ContinuousClock.now
            active.add(1)
            defer { active.add(-1) }
            do {
                try await transcodeOnce(id, attempt: attempt)
                Timer(label: "streamly_transcode_duration_seconds").record(duration: ContinuousClock.now - started)
                Counter(label: "streamly_transcode_jobs_total", dimensions: [("outcome", "ready")]).increment()
                return .ready
            } catch is LeaseLost {
                logger.notice("transcode: another worker took the video over", metadata: ["video": "\(id)"])
                return .skipped
            } catch where Task.isCancelled || (error as? OriginNativeError)?.code == .cancelled || error is CancellationError {
                // Shutting down: give the attempt back (it does not count), outside this cancelled task.
                await Task { try? await videos.releaseAttempt(id: id, attempt: attempt) }.value
                return .interrupted
            } catch let error as OriginNativeError where error.code == .invalidMedia {
                return await fail(id, attempt: attempt, error.message)
            } catch let error as S3Error where error.code == .noSuchKey {
                return await fail(id, attempt: attempt, "the uploaded source is missing from storage")
            } catch {
                lastError = Self.describe(error)
                logger.warning("transcode attempt failed", metadata: ["video": "\(id)", "attempt": "\(attempt)", "error": "\(error)"])
                if attempt >= settings.maxAttempts {
                    return await fail(id, attempt: attempt, "gave up after \(attempt) attempts: \(lastError ?? "")")
                }
                let delay = settings.retryBase * (1 << min(attempt - 1, 6))
                if !(await pause(delay)) { return .interrupted }
            }
        }
        return .interrupted
    }

    /// Sleeps; false when cancelled.
    private func pause(_ duration: Duration) async -> Bool {
        (try? await Task.sleep(for: duration)) != nil
    }

    private func fail(_ id: UUID, attempt: Int, _ reason: String) async -> Outcome {
        Counter(label: "streamly_transcode_jobs_total", dimensions: [("outcome", "failed")]).increment()
        logger.notice("transcode failed", metadata: ["video": "\(id)", "reason": "\(reason)"])
        do {
            if try await videos.markFailed(id: id, attempt: attempt, reason: reason) {
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: "failed", progress: 0, error: reason))
            }
        } catch {
            logger.warning("transcode: cannot record failure", metadata: ["video": "\(id)", "error": "\(error)"])
            return .interrupted
        }
        return .failed
    }

    /// Another worker took the video over (this one's lease lapsed).
    struct LeaseLost: Error {}

    private func transcodeOnce(_ id: UUID, attempt: Int) async throws {
        let work = settings.workDirectory + "/\(id.uuidString.lowercased())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try await withThrowingTaskGroup(of: TranscodeResult?.self) { group in
            // Renews the lease while the job runs; a lost lease stops the job.
            group.addTask {
                while (try? await Task.sleep(for: .seconds(settings.leaseSeconds / 4))) != nil {
                    if (try? await videos.heartbeat(id: id, attempt: attempt)) == false { throw LeaseLost() }
                }
                return nil
            }
            group.addTask { try await self.ladder(id, attempt: attempt, work: work) }
            while let finished = try await group.next() {
                if let result = finished {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
        try await upload(result.files, from: work + "/out", prefix: Self.outputPrefix(id))
        let renditions = result.renditions.map {
            Video.Rendition(name: $0.name, width: $0.width, height: $0.height, bandwidth: $0.bandwidth)
        }
        guard try await videos.markReady(id: id, attempt: attempt, renditions: renditions, durationSeconds: result.duration)
        else { throw LeaseLost() }
        await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: "ready", progress: 1))
        logger.info("transcode ready", metadata: ["video": "\(id.uuidString.lowercased())", "attempt": "\(attempt)",
                                                  "renditions": "\(renditions.map(\.name))", "duration": "\(result.duration)"])
    }

    /// Downloads the source and runs the ladder, reporting progress.
    private func ladder(_ id: UUID, attempt: Int, work: String) async throws -> TranscodeResult {
        let source = work + "/source"
        try await download(Self.sourceKey(id), to: source)
        let (progressStream, progressSink) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .bufferingNewest(1))
        let reporter = Task {
            for await value in progressStream {
                _ = try? await videos.setProgress(id: id, attempt: attempt, progress: value)
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: "transcoding", progress: value))
            }
        }
        defer { reporter.cancel() }
        do {
            // Leave the last percent for the upload of the outputs.
            let result = try await transcoder.transcode(input: source, outputDirectory: work + "/out") { progressSink.yield($0 * 0.99) }
            progressSink.finish()
            await reporter.value
            return result
        } catch {
            progressSink.finish()
            throw error
        }
    }

    /// Copies an object to a local file in ranged pieces (never the whole object in memory).
    private func download(_ key: String, to path: String) async throws {
        guard let info = try await store.headObject(key: key) else {
            throw S3Error(status: 404, code: .noSuchKey, message: "no object \(key)", key: key)
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let file = FileHandle(forWritingAtPath: path) else {
            throw OriginNativeError(code: .io, message: "cannot create \(path)")
        }
        defer { try? file.close() }
        var offset = 0
        while offset < info.size {
            let last = min(offset + settings.downloadChunkBytes, info.size) - 1
            let chunk = try await store.getObject(key: key, range: ObjectByteRange(first: offset, last: last))
            guard chunk.readableBytes == last - offset + 1 else {
                throw OriginNativeError(code: .io, message: "short read of \(key) at \(offset)")
            }
            try await NIOThreadPool.singleton.runIfActive { try file.write(contentsOf: chunk.readableBytesView) }
            offset = last + 1
        }
    }

    /// Uploads the ladder's files, a few at a time; the master playlist last, so a reader
    /// never finds a master whose renditions are not all there.
    private func upload(_ files: [String], from directory: String, prefix: String) async throws {
        func put(_ file: String) async throws {
            let bytes = try await NIOThreadPool.singleton.runIfActive {
                guard let data = FileManager.default.contents(atPath: directory + "/" + file) else {
                    throw OriginNativeError(code: .io, message: "cannot read output \(file)")
                }
                return ByteBuffer(bytes: data)
            }
            try await store.putObject(key: prefix + file, bytes: bytes, contentType: Self.contentType(file))
        }
        let media = files.filter { $0 != "master.m3u8" }
        for start in stride(from: 0, to: media.count, by: settings.uploadConcurrency) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for file in media[start..<min(start + settings.uploadConcurrency, media.count)] {
                    group.addTask { try await put(file) }
                }
                try await group.waitForAll()
            }
        }
        if files.contains("master.m3u8") { try await put("master.m3u8") }
    }

    static func contentType(_ file: String) -> String {
        if file.hasSuffix(".m3u8") { return "application/vnd.apple.mpegurl" }
        if file.hasSuffix(".m4s") || file.hasSuffix(".mp4") { return "video/mp4" }
        if file.hasSuffix(".jpg") { return "image/jpeg" }
        return "application/octet-stream"
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? OriginNativeError { return error.message }
        if let error = error as? S3Error { return "storage: \(error.message)" }
        return "\(error)"
    }
}

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
    var downloadChunkBytes = 8 << 20
    var uploadConcurrency = 4

    public init() {}
}

/// Jobs running on this origin (`streamly_transcode_active`).
final class ActiveTranscodes: Sendable {
    private let count = Atomic<Int>(0)
    private let gauge = Gauge(label: "streamly_transcode_active")

    func add(_ delta: Int) {
        gauge.record(count.add(delta, ordering: .relaxed).newValue)
    }
}
