import Foundation
import Logging
import StreamLyAPI
import StreamLyLink
import StreamLyOriginNative
import StreamLyStorage
import StreamLyStore

/// The video-on-demand half of an origin: object storage, the job queue, this origin's
/// transcode workers, and the fan-out of video events to its edges.
struct OriginVOD: Sendable {
    let store: any ObjectStore
    let router: VideoInfoRouter
    let jobs: TranscodeJobQueue
    let events: VideoEvents
    let workers: [TranscodeWorker]
    let fanout: VideoEventFanout
    let videos: VideoStore
    let logger: Logger

    static func make(configuration: OriginConfiguration, store: any ObjectStore, database: Database, producer: ChatProducer,
                     consumerProperties: [String: String], edges: @escaping @Sendable () -> [LinkConnection],
                     logger: Logger) async throws -> OriginVOD {
        // libav* prints a line per HLS segment at its default level; keep that for debug logs.
        FFmpeg.logLevel = ["trace", "debug"].contains(configuration.logLevel) ? .info : .error
        let topics = VODTopics(namespace: configuration.kafkaNamespace)
        let videos = VideoStore(database: database)
        let playback = try PlaybackLinks(secret: configuration.playbackSecret)
        let events = VideoEvents(producer: producer, topic: topics.events, logger: logger)
        let settings = configuration.transcode
        var transcodeConfiguration = TranscodeConfiguration()
        transcodeConfiguration.preset = settings.preset
        try transcodeConfiguration.validate()
        let runner = TranscodeJobRunner(videos: videos, store: store, events: events,
                                        transcoder: Transcoder(configuration: transcodeConfiguration),
                                        settings: settings, active: ActiveTranscodes(), logger: logger)
        var workerProperties = consumerProperties
        workerProperties["auto.offset.reset"] = "earliest"
        let workers = try (0..<settings.workers).map { index in
            TranscodeWorker(
                consumer: try KafkaConsumer(brokers: configuration.kafkaBrokers, groupID: topics.workerGroup,
                                            topics: [topics.jobs], properties: workerProperties, bufferCapacity: 64),
                runner: runner, logger: logger.withMetadata(["worker": "\(index)"]))
        }
        var fanoutProperties = consumerProperties
        fanoutProperties["auto.offset.reset"] = "latest"
        let fanout = VideoEventFanout(
            consumer: try KafkaConsumer(
                brokers: configuration.kafkaBrokers,
                groupID: "\(topics.fanoutGroupPrefix)-\(configuration.nodeID)-\(UUID().uuidString.prefix(8))",
                topics: [topics.events], properties: fanoutProperties),
            edges: edges, logger: logger)
        return OriginVOD(store: store, router: VideoInfoRouter(videos: videos, playback: playback),
                         jobs: TranscodeJobQueue(producer: producer, topic: topics.jobs), events: events,
                         workers: workers, fanout: fanout, videos: videos, logger: logger)
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
    var uploadHooks: UploadHooks {
        let events = events
        let jobs = jobs
        let logger = logger
        return UploadHooks(
            progress: { id, offset, length in
                let progress = length.map { $0 > 0 ? min(1, Double(offset) / Double($0)) : 0 } ?? 0
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: "uploading", progress: progress))
            },
            completed: { id in
                await events.publish(API.VideoEvent(id: id.uuidString.lowercased(), status: "queued", progress: 0))
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
