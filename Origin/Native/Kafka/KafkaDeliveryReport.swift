internal import CRdKafka

/// One `send`'s continuation, carried through librdkafka as the per-message opaque: retained
/// with `Unmanaged.passRetained` when the record is enqueued and released by the delivery
/// report callback, which runs exactly once per enqueued record (on success, failure, timeout
/// or purge).
final class KafkaDeliveryReport: Sendable {
    typealias Continuation = CheckedContinuation<(partition: Int32, offset: Int64), any Error>

    let topic: String
    let continuation: Continuation

    init(topic: String, continuation: Continuation) {
        self.topic = topic
        self.continuation = continuation
    }

    /// The `dr_msg_cb` registered on every producer configuration. Runs on whichever thread
    /// serves the producer's queue (`rd_kafka_poll` on the poll thread, or `rd_kafka_flush`).
    static let callback: @convention(c) (
        OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?
    ) -> Void = { handle, message, _ in
        guard let handle, let message, let opaque = message.pointee._private else { return }
        let report = Unmanaged<KafkaDeliveryReport>.fromOpaque(opaque).takeRetainedValue()
        report.complete(handle: handle, message: message)
    }

    private func complete(handle: OpaquePointer, message: UnsafePointer<rd_kafka_message_t>) {
        let status = message.pointee.err
        guard status == RD_KAFKA_RESP_ERR_NO_ERROR else {
            // Not rd_kafka_message_errstr: for a delivery report the payload is the record.
            var reason = KafkaClient.describe(status)
            if status == RD_KAFKA_RESP_ERR__FATAL {
                var text = [CChar](repeating: 0, count: 512)
                if rd_kafka_fatal_error(handle, &text, text.count) != RD_KAFKA_RESP_ERR_NO_ERROR {
                    reason += " (\(KafkaClient.string(text)))"
                }
            }
            continuation.resume(throwing: OriginNativeError(
                code: .kafkaDelivery, message: "delivery to topic \"\(topic)\" failed: \(reason)",
                status: status.rawValue
            ))
            return
        }
        continuation.resume(returning: (message.pointee.partition, message.pointee.offset))
    }
}
