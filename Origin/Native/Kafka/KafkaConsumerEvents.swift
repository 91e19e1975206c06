internal import CRdKafka
import Synchronization

/// What a consumer's librdkafka callbacks reach through the configuration opaque. The
/// rebalance callback runs on the poll thread, inside `rd_kafka_consumer_poll` or
/// `rd_kafka_consumer_close`.
final class KafkaConsumerEvents: Sendable {
    let buffer: KafkaRecordBuffer
    let rebalances: AsyncStream<KafkaRebalance>.Continuation
    private let assignment = Mutex<Set<KafkaTopicPartition>>([])

    init(buffer: KafkaRecordBuffer, rebalances: AsyncStream<KafkaRebalance>.Continuation) {
        self.buffer = buffer
        self.rebalances = rebalances
    }

    /// The rebalance callback: applies the new assignment (a rebalance callback must, or the
    /// consumer stops fetching), with `rd_kafka_incremental_(un)assign` under the cooperative
    /// protocol and `rd_kafka_assign` under the eager one, and reports it.
    func rebalance(
        handle: OpaquePointer, status: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        let changed = Set((partitions.map { KafkaTopicPartitionList.elements(of: $0) } ?? []).map(\.partition))

        switch status {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, partitions)
            }
            assignment.withLock { $0.formUnion(changed) }
            rebalances.yield(.assigned(changed))

        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            buffer.removeRecords(in: changed)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(handle, nil)
            }
            assignment.withLock { $0.subtract(changed) }
            rebalances.yield(.revoked(changed, lost: lost))

        default:
            // The rebalance failed (e.g. an unsupported assignor): drop everything, as
            // librdkafka's documentation prescribes; it rejoins the group by itself.
            let revoked = assignment.withLock { assignment in
                defer { assignment = [] }
                return assignment
            }
            buffer.removeRecords(in: revoked)
            _ = rd_kafka_assign(handle, nil)
            if !revoked.isEmpty {
                rebalances.yield(.revoked(revoked, lost: true))
            }
        }
    }
}
