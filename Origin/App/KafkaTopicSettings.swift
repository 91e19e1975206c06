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

    public init(partitions: Int = 4, replicationFactor: Int = -1, minInsyncReplicas: Int? = nil) {
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.minInsyncReplicas = minInsyncReplicas
    }

    public init(_ values: ConfigValues) throws {
        self.init(
            partitions: try values.int("kafka.topic.partitions", default: 4, range: 1...10_000),
            replicationFactor: try values.int("kafka.topic.replication.factor", default: -1, range: -1...100),
            minInsyncReplicas: values.optionalString("kafka.topic.min.insync.replicas") == nil ? nil
                : try values.int("kafka.topic.min.insync.replicas", default: 1, range: 1...100))
    }

    /// `names` as topics to create with these settings.
    func topics(_ names: [String]) -> [KafkaAdmin.Topic] {
        names.map { name in
            KafkaAdmin.Topic(name: name, partitions: Int32(partitions), replicationFactor: Int32(replicationFactor),
                             configuration: minInsyncReplicas.map { ["min.insync.replicas": String($0)] } ?? [:])
        }
    }
}
