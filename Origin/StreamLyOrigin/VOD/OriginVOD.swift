import Foundation
import Logging
import StreamLyLink
import StreamLyOriginNative
import StreamLyStorage
import StreamLyStore

/// The video-on-demand half of an origin: object storage, the job queue, this origin's
/// transcode workers, and the fan-out of video events to its edges.
struct OriginVOD: Sendable {
    let store: any ObjectStore
    let router: VODRouter
    let jobs: TranscodeJobQueue
    let events: VideoEvents
    let workers: [TranscodeWorker]
    let fanout: VideoEventFanout

    static func make(configuration: OriginConfiguration, database: Database, producer: ChatProducer,
                     consumerProperties: [String: String], edges: @escaping @Sendable () -> [LinkConnection],
                     logger: Logger) async throws -> OriginVOD {
        let store = try await configuration.storage.makeStore(logger: logger)
        let topics = VODTopics(namespace: configuration.kafkaNamespace)
        let videos = VideoStore(database: database)
        let events = VideoEvents(producer: producer, topic: topics.events, logger: logger)
        let settings = configuration.transcode
        var transcodeConfiguration = TranscodeConfiguration()
        transcodeConfiguration.preset = settings.preset
        try transcodeConfiguration.validate()
        let runner = TranscodeJobRunner(videos: videos, store: store, events: events,
                                        transcoder: Transcoder(configuration: transcodeConfiguration),
                                        settings: settings, logger: logger)
        var workerProperties = consumerProperties
        workerProperties["auto.offset.reset"] = "earliest"
        // A job runs for minutes while the poll thread keeps the member alive; read no further ahead.
        workerProperties["max.poll.interval.ms"] = "3600000"
        let workers = try (0..<settings.workers).map { index in
            TranscodeWorker(
                consumer: try KafkaConsumer(brokers: configuration.kafkaBrokers, groupID: topics.workerGroup,
                                            topics: [topics.jobs], properties: workerProperties, bufferCapacity: 1),
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
        return OriginVOD(store: store, router: VODRouter(videos: videos),
                         jobs: TranscodeJobQueue(producer: producer, topic: topics.jobs), events: events,
                         workers: workers, fanout: fanout)
    }

    /// Runs the workers and the fan-out until cancelled; cancelling stops a job mid-way (its
    /// offset stays uncommitted, so another worker redoes it).
    func run() async {
        await withDiscardingTaskGroup { group in
            for worker in workers { group.addTask { await worker.run() } }
            group.addTask { await fanout.run() }
        }
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
