/// One record read from (or written to) a Kafka topic partition.
public struct KafkaRecord: Sendable, Hashable {
    /// When the record was created, as stored by the broker.
    public struct Timestamp: Sendable, Hashable {
        /// Whether the producer (`createTime`) or the broker (`logAppendTime`) set the time.
        public enum Kind: Sendable, Hashable {
            case createTime
            case logAppendTime
        }

        /// Milliseconds since 1970-01-01 00:00:00 UTC.
        public var millisecondsSinceEpoch: Int64
        /// Who set the time.
        public var kind: Kind

        public init(millisecondsSinceEpoch: Int64, kind: Kind) {
            self.millisecondsSinceEpoch = millisecondsSinceEpoch
            self.kind = kind
        }
    }

    /// The topic the record was read from.
    public var topic: String
    /// The partition within `topic`.
    public var partition: Int32
    /// The record's offset within its partition.
    public var offset: Int64
    /// The record key (the channel for StreamLy chat), or nil if the record had none.
    public var key: [UInt8]?
    /// The record value. A null value (a tombstone) is read as an empty array.
    public var value: [UInt8]
    /// Headers in wire order; names may repeat.
    public var headers: [KafkaHeader]
    /// The record's timestamp, or nil if the broker did not report one.
    public var timestamp: Timestamp?

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader] = [], timestamp: Timestamp? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The topic partition this record belongs to.
    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }
}

/// A Kafka record header: a name and an optional binary value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name (UTF-8 on the wire).
    public var name: String
    /// The header value; nil is Kafka's null value, distinct from an empty one.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}
