import Foundation
import Logging
import StreamLyOriginNative
import StreamLyStorage
import StreamLyStore

/// What every feature of an origin shares, built once at start-up and handed to the features:
/// PostgreSQL (migrated at start by `OriginChatService`), the origin's one Kafka producer and the
/// object store. Kafka consumers are made per feature, all with `consumerProperties`.
struct Infrastructure: Sendable {
    let database: Database
    let producer: EventProducer
    let objects: any ObjectStore
    let configuration: OriginConfiguration

    static func make(configuration: OriginConfiguration, logger: Logger) async throws -> Infrastructure {
        let objects = try await configuration.storage.makeStore(logger: logger)
        let database = try Database(url: configuration.postgresURL, logger: logger)
        let producer = try EventProducer(logger: logger) {
            try KafkaProducer(brokers: configuration.kafkaBrokers, clientID: configuration.nodeID, properties: [
                "linger.ms": "1",
                // Fail a send after this long rather than librdkafka's 5 minutes: a publish
                // answers 503 (the client retries) and the sequencer retries the record.
                "message.timeout.ms": String(configuration.kafkaMessageTimeoutMilliseconds),
            ])
        }
        return Infrastructure(database: database, producer: producer, objects: objects, configuration: configuration)
    }

    /// Where a new consumer group starts reading (`auto.offset.reset`).
    enum OffsetReset: String {
        /// From the beginning: a group that must not skip records (sequencer, transcode workers).
        case earliest
        /// From now on: a fan-out group of this origin alone.
        case latest
    }

    /// A consumer of `topics` in `groupID`, with the properties every consumer of the origin
    /// uses; `staticMember` sets `group.instance.id` (static membership, KIP-345: a consumer
    /// that comes back with the same id takes its predecessor's place without a rebalance).
    func consumer(groupID: String, topics: [String], from reset: OffsetReset,
                  staticMember: String? = nil, bufferCapacity: Int = 1000) throws -> KafkaConsumer {
        var properties = Self.consumerProperties(configuration)
        properties["auto.offset.reset"] = reset.rawValue
        if let staticMember { properties["group.instance.id"] = staticMember }
        return try KafkaConsumer(brokers: configuration.kafkaBrokers, groupID: groupID, topics: topics,
                                 properties: properties, bufferCapacity: bufferCapacity)
    }

    /// The name of a group only this origin process joins (fan-out: every origin reads everything).
    func ownGroup(prefix: String) -> String {
        "\(prefix)-\(configuration.nodeID)-\(UUID().uuidString.prefix(8))"
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
