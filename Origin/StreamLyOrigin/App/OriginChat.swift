import Foundation
import Logging
import StreamLyLink
import StreamLyOriginNative
import StreamLyStorage
import StreamLyStore

/// The chat half of an origin: PostgreSQL (migrated at start), the Kafka producer,
/// the sequencer group member and the fan-out consumer.
struct OriginChat: Sendable {
    let database: Database
    let router: ChatRouter
    let sequencer: MessageSequencer
    let fanout: EventFanout
    let producer: ChatProducer

    static func make(configuration: OriginConfiguration, store: any ObjectStore,
                     edges: @escaping @Sendable () -> [LinkConnection], logger: Logger) async throws -> OriginChat {
        let database = try Database(url: configuration.postgresURL, logger: logger)
        let tokens = try await TokenService(
            configuration: .init(signingKey: Array(configuration.jwtSecret.utf8)), database: database)
        let consumerProperties = Self.consumerProperties(configuration)
        let producer = try ChatProducer(logger: logger) {
            try KafkaProducer(brokers: configuration.kafkaBrokers, clientID: configuration.nodeID, properties: [
                "linger.ms": "1",
                // Fail a send after this long rather than librdkafka's 5 minutes: a publish
                // answers 503 (the client retries) and the sequencer retries the record.
                "message.timeout.ms": String(configuration.kafkaMessageTimeoutMilliseconds),
            ])
        }
        let topics = ChatTopics(namespace: configuration.kafkaNamespace)
        var sequencerProperties = consumerProperties
        // A group without committed offsets (a new deployment) must not skip publishes.
        sequencerProperties["auto.offset.reset"] = "earliest"
        let sequencerConsumer = try KafkaConsumer(
            brokers: configuration.kafkaBrokers, groupID: topics.sequencerGroup, topics: [topics.publish],
            properties: sequencerProperties)
        var fanoutProperties = consumerProperties
        fanoutProperties["auto.offset.reset"] = "latest"
        let fanoutConsumer = try KafkaConsumer(
            brokers: configuration.kafkaBrokers,
            groupID: "\(topics.fanoutGroupPrefix)-\(configuration.nodeID)-\(UUID().uuidString.prefix(8))",
            topics: [topics.events], properties: fanoutProperties)
        let pending = PendingPublishes()
        let channels = ChannelStore(database: database)
        let messages = MessageStore(database: database)
        return OriginChat(
            database: database,
            router: ChatRouter(accounts: AccountService(users: UserStore(database: database), tokens: tokens),
                               channels: channels, messages: messages, producer: producer, topic: topics.publish, pending: pending,
                               attachments: AttachmentRouter(attachments: AttachmentStore(database: database), channels: channels,
                                                             store: store, settings: configuration.attachments),
                               publishTimeout: configuration.publishTimeout),
            sequencer: MessageSequencer(consumer: sequencerConsumer, producer: producer, eventsTopic: topics.events, messages: messages, logger: logger),
            fanout: EventFanout(consumer: fanoutConsumer, pending: pending, edges: edges, logger: logger),
            producer: producer)
    }

    /// librdkafka properties every consumer of the origin uses.
    static func consumerProperties(_ configuration: OriginConfiguration) -> [String: String] {
        [
            "session.timeout.ms": String(configuration.kafkaSessionTimeoutMilliseconds),
            "heartbeat.interval.ms": String(max(300, configuration.kafkaSessionTimeoutMilliseconds / 5)),
            // The chat topics may not exist yet on a fresh cluster: create them on subscribe and
            // notice new partitions quickly rather than after librdkafka's default 5 minutes.
            "allow.auto.create.topics": "true",
            "topic.metadata.refresh.interval.ms": "2000",
            // Chat is latency-bound: do not let the broker hold fetches for long.
            "fetch.wait.max.ms": String(configuration.kafkaFetchWaitMilliseconds),
        ]
    }

    /// Whether PostgreSQL answers.
    func databaseReady() async -> Bool {
        (try? await database.withConnection { connection in
            try await connection.query("SELECT 1", logger: database.logger).collect().count == 1
        }) ?? false
    }
}
