import StreamLyConfig
import StreamLyOriginNative

/// How an origin creates its Kafka topics at start-up (`kafka.topic.*`, docs/kafka.md). An
/// existing topic is left as it is.
public struct KafkaTopicSettings: Sendable, Equatable {
    /// Partitions of each topic (`kafka.topic.partitions`): the sequencer spreads them over
    /// the origins, so there is no point in more origins than this.
    public var partitions: Int
    /// Replicas of each partition (`kafka.topic.replication.factor`); -1: the broker's
    /// `default.replication.factor` (1 on a single local broker, 3 in production).
    public var replicationFactor: Int
    /// The topics' `min.insync.replicas` (`kafka.topic.min.insync.replicas`); nil: the
    /// broker's default. 2 with a replication factor of 3 in production.
    public var minInsyncReplicas: Int?
    /// `retention.ms` of the chat transport topics, `<ns>.chat.publish` and `<ns>.chat.events`
    /// (`kafka.topic.chat.retention.ms`); nil: the broker's default (7 days on Kafka). Those
    /// topics then also get a `segment.ms` of a sixth of it: Kafka (and noida-db) delete whole
    /// segments once they are older than the retention, and with the default segment.ms (7
    /// days) nothing would go (noida-db's log, measured, only grew: 20 → 41 → 78 MB over three
    /// runs of 500 msg/s, and the p99 with it).
    /// PostgreSQL is the record of truth: a record there only has to outlive its consumers'
    /// lag (an unsequenced publish that expires was never acknowledged; its client retries it
    /// with the same `client_id`). The local profiles set 60 s: noida-db rewrites its whole log
    /// as one file every few seconds, so a log that only grows slows the broker down with it.
    public var chatRetentionMilliseconds: Int?

    public init(partitions: Int = 4, replicationFactor: Int = -1, minInsyncReplicas: Int? = nil,
                chatRetentionMilliseconds: Int? = nil) {
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.minInsyncReplicas = minInsyncReplicas
        self.chatRetentionMilliseconds = chatRetentionMilliseconds
    }

    public init(_ values: ConfigValues) throws {
        self.init(
            partitions: try values.int("kafka.topic.partitions", default: 4, range: 1...10_000),
            replicationFactor: try values.int("kafka.topic.replication.factor", default: -1, range: -1...100),
            minInsyncReplicas: values.optionalString("kafka.topic.min.insync.replicas") == nil ? nil
                : try values.int("kafka.topic.min.insync.replicas", default: 1, range: 1...100),
            chatRetentionMilliseconds: values.optionalString("kafka.topic.chat.retention.ms") == nil ? nil
                : try values.int("kafka.topic.chat.retention.ms", default: 0, range: 10_000...31_536_000_000))
    }

    /// `names` as topics to create with these settings; those in `transport` (the chat
    /// transport topics) also get `chatRetentionMilliseconds` and a sixth of it as `segment.ms`.
    func topics(_ names: [String], transport: Set<String> = []) -> [KafkaAdmin.Topic] {
        names.map { name in
            var configuration: [String: String] = [:]
            if let minInsyncReplicas { configuration["min.insync.replicas"] = String(minInsyncReplicas) }
            if let chatRetentionMilliseconds, transport.contains(name) {
                configuration["retention.ms"] = String(chatRetentionMilliseconds)
                configuration["segment.ms"] = String(chatRetentionMilliseconds / 6)
            }
            return KafkaAdmin.Topic(name: name, partitions: Int32(partitions), replicationFactor: Int32(replicationFactor),
                                    configuration: configuration)
        }
    }
}
