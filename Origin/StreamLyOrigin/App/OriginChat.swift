import Foundation
import Logging
import StreamLyLink
import StreamLyOriginNative
import StreamLyStore

/// The chat half of an origin: PostgreSQL (migrated at start), the Kafka producer,
/// the sequencer group member and the fan-out consumer.
struct OriginChat: Sendable {
    let database: Database
    let router: ChatRouter
    let sequencer: MessageSequencer
    let fanout: EventFanout
    let producer: KafkaProducer

    static func make(configuration: OriginConfiguration, edges: @escaping @Sendable () -> [LinkConnection],
                     logger: Logger) async throws -> OriginChat {
        let database = try Database(url: configuration.postgresURL, logger: logger)
        let tokens = try await TokenService(
            configuration: .init(signingKey: Array(configuration.jwtSecret.utf8)), database: database)
        let consumerProperties = [
            "session.timeout.ms": String(configuration.kafkaSessionTimeoutMilliseconds),
            "heartbeat.interval.ms": String(max(300, configuration.kafkaSessionTimeoutMilliseconds / 5)),
            // The chat topics may not exist yet on a fresh cluster: create them on subscribe and
            // notice new partitions quickly rather than after librdkafka's default 5 minutes.
            "allow.auto.create.topics": "true",
            "topic.metadata.refresh.interval.ms": "2000",
            // Chat is latency-bound: do not let the broker hold fetches for long.
            "fetch.wait.max.ms": "10",
        ]
        let producer = try KafkaProducer(brokers: configuration.kafkaBrokers, clientID: configuration.nodeID,
                                         properties: ["linger.ms": "1"])
        let sequencerConsumer = try KafkaConsumer(
            brokers: configuration.kafkaBrokers, groupID: "streamly-chat-sequencer", topics: [ChatTopics.publish],
            properties: consumerProperties)
        var fanoutProperties = consumerProperties
        fanoutProperties["auto.offset.reset"] = "latest"
        let fanoutConsumer = try KafkaConsumer(
            brokers: configuration.kafkaBrokers,
            groupID: "streamly-chat-fanout-\(configuration.nodeID)-\(UUID().uuidString.prefix(8))",
            topics: [ChatTopics.events], properties: fanoutProperties)
        let pending = PendingPublishes()
        let channels = ChannelStore(database: database)
        let messages = MessageStore(database: database)
        return OriginChat(
            database: database,
            router: ChatRouter(accounts: AccountService(users: UserStore(database: database), tokens: tokens),
                               channels: channels, messages: messages, producer: producer, pending: pending,
                               publishTimeout: configuration.publishTimeout),
            sequencer: MessageSequencer(consumer: sequencerConsumer, producer: producer, messages: messages, logger: logger),
            fanout: EventFanout(consumer: fanoutConsumer, pending: pending, edges: edges, logger: logger),
            producer: producer)
    }

    /// Whether PostgreSQL answers.
    func databaseReady() async -> Bool {
        (try? await database.withConnection { connection in
            try await connection.query("SELECT 1", logger: database.logger).collect().count == 1
        }) ?? false
    }
}
