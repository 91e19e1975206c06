import Logging
import ServiceLifecycle
import StreamLyOriginNative
import StreamLyStore
import Synchronization

/// Migrates the schema and creates the Kafka topics (each retried until PostgreSQL or the
/// broker answers), then runs the sequencer and fan-out (and the producer's probes) until
/// shutdown, when it leaves the consumer groups and flushes the producer.
final class OriginChatService: Service, Sendable {
    let database: Database
    let chat: ChatFeature
    let producer: EventProducer
    /// Every topic the origin writes, created before the consumers start.
    let topics: [KafkaAdmin.Topic]
    /// Where the producer's probes go while it cannot write (`EventProducer.runProbes`).
    let probeTopic: String
    let brokers: String
    let logger: Logger
    private let migrated = Atomic<Bool>(false)
    private let topicsCreated = Atomic<Bool>(false)

    init(database: Database, chat: ChatFeature, producer: EventProducer, topics: [KafkaAdmin.Topic], probeTopic: String,
         brokers: String, logger: Logger) {
        self.database = database
        self.chat = chat
        self.producer = producer
        self.topics = topics
        self.probeTopic = probeTopic
        self.brokers = brokers
        self.logger = logger
    }

    var isMigrated: Bool { migrated.load(ordering: .relaxed) }
    var areTopicsCreated: Bool { topicsCreated.load(ordering: .relaxed) }

    func run() async throws {
        var delay = Duration.milliseconds(200)
        while !Task.isShuttingDownGracefully {
            // Cancelled (another service failed, e.g. a port in use): end, so the origin exits.
            try Task.checkCancellation()
            do {
                let applied = try await Migrator(database: database).migrate()
                if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": "\(applied)"]) }
                migrated.store(true, ordering: .relaxed)
                break
            } catch {
                logger.warning("migrations not applied yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        delay = .milliseconds(200)
        while !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            do {
                try await KafkaAdmin.createTopics(topics, brokers: brokers, timeout: .seconds(5))
                topicsCreated.store(true, ordering: .relaxed)
                logger.info("kafka topics ready", metadata: ["topics": "\(topics.map(\.name))"])
                break
            } catch {
                logger.warning("kafka topics not created yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        let probes = Task { await producer.runProbes(topic: probeTopic) }
        defer { probes.cancel() }
        await withGracefulShutdownHandler {
            await self.chat.run()
        } onGracefulShutdown: {
            Task { await self.chat.close() }
        }
        await producer.close()
    }
}
