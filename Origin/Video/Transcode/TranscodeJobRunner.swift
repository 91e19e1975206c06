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

/// Runs one transcode job to its end: downloads the uploaded source, runs the ladder in a
/// worker process of its own (`TranscodeProcess`: a crash, trap or hang there fails the
/// attempt, never the origin), uploads every output under `vod/{id}/`, and marks the video ready.
/// The decisions (retries with exponential backoff, at once `failed` for input that is not a
/// usable video, `failed` after `maxAttempts` attempts, a worker that died mid-job counting as
/// one) are `StateMachine`'s; this type does the I/O. Outputs have fixed keys, so a redone job
/// overwrites the same objects.
struct TranscodeJobRunner: Sendable {
    let videos: VideoStore
    let store: any ObjectStore
    let events: VideoEvents
    let transcoder: TranscodeProcess
    let settings: TranscodeSettings
    let active: ActiveTranscodes
    let logger: Logger
    /// Where the runner and its worker sleep (retry delays, waits for a busy video, lease renewals).
    var clock: any Clock<Duration> & Sendable = ContinuousClock()

    /// How a job ended for the worker: commit its offset unless `interrupted`.
    enum Outcome: Equatable, Sendable {
        case ready, failed, skipped, interrupted
    }

    static func sourceKey(_ id: UUID) -> String { "uploads/\(id.uuidString.lowercased())/source" }
    static func outputPrefix(_ id: UUID) -> String { "vod/\(id.uuidString.lowercased())/" }

    func run(_ id: UUID) async -> Outcome {
        var machine = StateMachine(retry: settings.retry, busyWait: settings.leaseRenewal)
        var action = machine.start()
        while true {
            switch action {
            case .claim:
                guard !Task.isCancelled else {
                    action = machine.cancelled()
                    continue
                }
                do {
                    let start = try await videos.startAttempt(id: id, lease: settings.leaseSeconds)
                    action = machine.attemptStarted(start, now: .now)
                } catch {
                    logger.warning("transcode: cannot start attempt", metadata: ["video": "\(id)", "error": "\(error)"])
                    action = machine.attemptNotStarted()
                }
            case .wait(let duration):
                action = (try? await clock.sleep(for: duration)) != nil ? machine.waited() : machine.cancelled()
            case .transcode(let attempt):
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: .transcoding, progress: 0))
                active.add(1)
                do {
                    try await transcodeOnce(id, attempt: attempt)
                    action = machine.attemptSucceeded(now: .now)
                } catch {
                    action = machine.attemptFailed(failure(error, id: id, attempt: attempt))
                }
                active.add(-1)
            case .ready(let duration):
                Timer(label: "streamly_transcode_duration_seconds").record(duration: duration)
                Counter(label: "streamly_transcode_jobs_total", dimensions: [("outcome", "ready")]).increment()
                return .ready
            case .fail(let attempt, let reason):
                return await fail(id, attempt: attempt, reason)
            case .release(let attempt):
                // Shutting down: give the attempt back (it does not count), outside this cancelled task.
                await Task { try? await videos.releaseAttempt(id: id, attempt: attempt) }.value
                return .interrupted
            case .end(let outcome):
                return outcome
            }
        }
    }

    /// What an attempt's error means for the job.
    private func failure(_ error: any Error, id: UUID, attempt: Int) -> StateMachine.Failure {
        switch error {
        case is LeaseLost:
            logger.notice("transcode: another worker took the video over", metadata: ["video": "\(id)"])
            return .leaseLost
        case _ where Task.isCancelled || (error as? OriginNativeError)?.code == .cancelled || error is CancellationError:
            return .cancelled
        case let error as OriginNativeError where error.code == .invalidMedia:
            return .invalidMedia(error.message)
        case let error as S3Error where error.code == .noSuchKey:
            return .sourceMissing
        default:
            logger.warning("transcode attempt failed", metadata: ["video": "\(id)", "attempt": "\(attempt)", "error": "\(error)"])
            return .other(Self.describe(error))
        }
    }

    private func fail(_ id: UUID, attempt: Int, _ reason: String) async -> Outcome {
        Counter(label: "streamly_transcode_jobs_total", dimensions: [("outcome", "failed")]).increment()
        logger.notice("transcode failed", metadata: ["video": "\(id)", "reason": "\(reason)"])
        do {
            if try await videos.markFailed(id: id, attempt: attempt, reason: reason) {
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: .failed, progress: 0, error: reason))
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
                while (try? await clock.sleep(for: settings.leaseRenewal)) != nil {
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
        else {
            // Deleted by its owner mid-job: the outputs just uploaded are nobody's.
            if try await videos.video(id: id) == nil {
                await deleteObjects(prefix: Self.outputPrefix(id), store: store, logger: logger)
            }
            throw LeaseLost()
        }
        await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: .ready, progress: 1))
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
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: .transcoding, progress: value))
            }
        }
        defer { reporter.cancel() }
        do {
            // Leave the last percent for the upload of the outputs.
            let result = try await transcoder.transcode(input: source, outputDirectory: work + "/out", work: work) {
                progressSink.yield($0 * 0.99)
            }
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
