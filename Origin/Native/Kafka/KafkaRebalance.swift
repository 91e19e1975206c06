/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A change of a group consumer's partition assignment, reported by `KafkaConsumer.rebalances`.
public enum KafkaRebalance: Sendable, Hashable {
    /// These partitions were added to the assignment; records from them follow.
    case assigned(Set<KafkaTopicPartition>)
    /// These partitions were taken away. Records of theirs still buffered were dropped (they
    /// are uncommitted, so the new owner reads them again) and commits for them fail, so drop
    /// any per-partition state. `lost` is true when the group moved on without this consumer
    /// (e.g. its session timed out), so another member may already be processing them.
    case revoked(Set<KafkaTopicPartition>, lost: Bool)
}
