import Foundation
import Logging
import StreamLyAPI
import StreamLyLink
import StreamLyOriginNative
import StreamLyStorage
import StreamLyStore
import StreamLyTranscode

/// Everything a video goes through on an origin: the upload methods into object storage, the
/// job queue, this origin's transcode workers, the fan-out of video events to its edges, and
/// the playback methods (`videos.get`, `vod.object`), on the shared `Infrastructure`.
struct VideoFeature: Sendable {
    let uploads: VideoRouter
    let info: VideoInfoRouter
    let objects: VODRouter
    let jobs: TranscodeJobQueue
    let events: VideoEvents
    let workers: [TranscodeWorker]
    let fanout: VideoEventFanout
    let videos: VideoStore
    let logger: Logger

    static func make(_ infrastructure: Infrastructure, edges: @escaping @Sendable () -> [LinkConnection],
                     logger: Logger) throws -> VideoFeature {
        let configuration = infrastructure.configuration
        // libav* prints a line per HLS segment at its default level; keep that for debug logs.
        FFmpeg.logLevel = ["trace", "debug"].contains(configuration.logLevel) ? .info : .error
        let topics = VODTopics(namespace: configuration.kafkaNamespace)
        let store = infrastructure.objects
        let videos = VideoStore(database: infrastructure.database)
        let playback = try PlaybackLinks(secret: configuration.playbackSecret)
        let events = VideoEvents(producer: infrastructure.producer, topic: topics.events, logger: logger)
        let jobs = TranscodeJobQueue(producer: infrastructure.producer, topic: topics.jobs)
        let settings = configuration.transcode
        var transcodeConfiguration = TranscodeConfiguration()
        transcodeConfiguration.preset = settings.preset
        transcodeConfiguration.limits = settings.limits
        transcodeConfiguration.acceptedInputFormats = settings.inputFormats
        try transcodeConfiguration.validate()
        let transcoder = TranscodeProcess(configuration: transcodeConfiguration, timeout: settings.timeout,
                                          ffmpegLogLevel: FFmpeg.logLevel, maxMemoryBytes: settings.workerMaxMemory)
        let runner = TranscodeJobRunner(videos: videos, store: store, events: events, transcoder: transcoder,
                                        settings: settings, active: ActiveTranscodes(), logger: logger)
        let workers = try (0..<settings.workers).map { index in
            TranscodeWorker(
                consumer: try infrastructure.consumer(
                    groupID: configuration.sequencerGroup == .perOrigin ? "\(topics.workerGroup)-\(configuration.nodeID)" : topics.workerGroup,
                    topics: [topics.jobs], from: .earliest, staticMember: "\(configuration.nodeID)-worker-\(index)",
                    bufferCapacity: 64),
                runner: runner, logger: logger.withMetadata(["worker": "\(index)"]))
        }
        let fanout = VideoEventFanout(
            consumer: try infrastructure.consumer(groupID: infrastructure.ownGroup(prefix: topics.fanoutGroupPrefix),
                                                  topics: [topics.events], from: .latest),
            edges: edges, logger: logger)
        let hooks = uploadHooks(events: events, jobs: jobs, logger: logger)
        let uploads = makeUploads(infrastructure, videos: videos, hooks: hooks, logger: logger)
        return VideoFeature(uploads: uploads,
                            info: VideoInfoRouter(videos: videos, playback: playback, store: store, events: events,
                                                  finisher: uploads.finisher, logger: logger),
                            objects: VODRouter(store: store, logger: logger),
                            jobs: jobs, events: events, workers: workers, fanout: fanout, videos: videos, logger: logger)
    }

    /// The upload path on the object store; `hooks` are told about upload progress and completion.
    private static func makeUploads(_ infrastructure: Infrastructure, videos: VideoStore, hooks: UploadHooks,
                                    logger: Logger) -> VideoRouter {
        let upload = infrastructure.configuration.upload
        let settings = UploadSettings(partSize: upload.partBytes, maxLength: upload.maxBytes)
        let finisher = UploadFinisher(videos: videos, objects: infrastructure.objects, partSize: settings.partSize,
                                      hooks: hooks, logger: logger)
        let writer = UploadWriter(videos: videos, objects: infrastructure.objects, settings: settings, hooks: hooks,
                                  finisher: finisher, logger: logger)
        let quotas = infrastructure.configuration.quotas
        return VideoRouter(videos: videos, writer: writer, locks: UploadLocks(),
                           quota: VideoStore.Quota(videos: Int64(quotas.videosPerUser),
                                                   pendingUploads: Int64(quotas.pendingUploadsPerUser),
                                                   bytes: quotas.videoBytesPerUser, deferredBytes: Int64(upload.maxBytes)))
    }

    /// Runs the workers and the fan-out until cancelled; cancelling stops a job mid-way (its
    /// offset stays uncommitted, so another worker redoes it).
    func run() async {
        await withDiscardingTaskGroup { group in
            for worker in workers { group.addTask { await worker.run() } }
            group.addTask { await fanout.run() }
            group.addTask { await requeueStale() }
        }
    }

    /// Every 30 s, queues again the jobs of videos `queued` for over 2 minutes: an origin that
    /// died between an upload's completion and the broker's ack lost that job. Duplicates are
    /// harmless: same key, same partition, and a job for a video past `queued` is skipped.
    private func requeueStale() async {
        while (try? await Task.sleep(for: .seconds(30))) != nil {
            do {
                for id in try await videos.claimStaleQueued(olderThan: 120) {
                    try await jobs.enqueue(id)
                    logger.notice("transcode job queued again", metadata: ["video": "\(id)"])
                }
            } catch {
                logger.debug("requeue sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Upload progress becomes `uploading` events for watchers; a complete upload queues its
    /// transcode job (if the broker refuses, the requeue sweep queues it within minutes).
    private static func uploadHooks(events: VideoEvents, jobs: TranscodeJobQueue, logger: Logger) -> UploadHooks {
        UploadHooks(
            progress: { id, offset, length in
                let progress = length.map { $0 > 0 ? min(1, Double(offset) / Double($0)) : 0 } ?? 0
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: .uploading, progress: progress))
            },
            completed: { id in
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: .queued, progress: 0))
                do { try await jobs.enqueue(id) } catch {
                    logger.warning("transcode job not queued yet", metadata: ["video": "\(id)", "error": "\(error)"])
                }
            })
    }

    /// Leaves the consumer groups.
    func close() async {
        for worker in workers { await worker.consumer.close() }
        await fanout.consumer.close()
    }
}

extension Logger {
    func withMetadata(_ extra: Logger.Metadata) -> Logger {
        var logger = self
        for (key, value) in extra { logger[metadataKey: key] = value }
        return logger
    }
}
