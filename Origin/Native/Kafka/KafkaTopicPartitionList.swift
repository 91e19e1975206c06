internal import CRdKafka

/// Owns one `rd_kafka_topic_partition_list_t` and destroys it in deinit.
final class KafkaTopicPartitionList {
    /// The rd_kafka_topic_partition_list_t*.
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// An empty list with room for `capacity` entries (it grows as needed).
    init(capacity: Int = 1) {
        guard let pointer = rd_kafka_topic_partition_list_new(Int32(clamping: capacity)) else {
            fatalError("rd_kafka_topic_partition_list_new: out of memory")
        }
        self.pointer = pointer
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    /// Adds a topic (for `rd_kafka_subscribe`, partition `RD_KAFKA_PARTITION_UA`) or a partition,
    /// optionally with an offset (for `rd_kafka_commit`).
    func add(topic: String, partition: Int32, offset: Int64? = nil) {
        guard let element = rd_kafka_topic_partition_list_add(pointer, topic, partition) else {
            fatalError("rd_kafka_topic_partition_list_add: out of memory")
        }
        if let offset {
            element.pointee.offset = offset
        }
    }

    /// The entries of a list this code does not own (e.g. the one passed to the rebalance callback).
    static func elements(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [(partition: KafkaTopicPartition, error: rd_kafka_resp_err_t)] {
        guard let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return (KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition), element.err)
        }
    }
}
