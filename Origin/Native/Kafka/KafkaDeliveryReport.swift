internal import CRdKafka
import Synchronization

/// One record's completion, carried through librdkafka as the per-message opaque: retained
/// with `Unmanaged.passRetained` when the record is enqueued and released by the delivery
/// report callback, which runs exactly once per enqueued record (on success, failure, timeout
/// or purge).
final class KafkaDeliveryReport: Sendable {
    typealias Completion = @Sendable (Result<(partition: Int32, offset: Int64), any Error>) -> Void

    let topic: String
    let completion: Completion

    init(topic: String, completion: @escaping Completion) {
        self.topic = topic
        self.completion = completion
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
            completion(.failure(OriginNativeError(
                code: .kafkaDelivery, message: "delivery to topic \"\(topic)\" failed: \(reason)",
                status: status.rawValue
            )))
            return
        }
        completion(.success((message.pointee.partition, message.pointee.offset)))
    }
}

/// A record handed to librdkafka whose acknowledgement is awaited later
/// (`KafkaProducer.produce`). One waiter at a time.
public final class KafkaPendingDelivery: Sendable {
    public typealias Outcome = Result<(partition: Int32, offset: Int64), any Error>
    private let state = Mutex<(outcome: Outcome?, waiter: CheckedContinuation<Outcome, Never>?)>((nil, nil))

    init() {}

    func complete(_ outcome: Outcome) {
        let waiter = state.withLock { state in
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    /// Waits for the broker's acknowledgement (see `KafkaProducer.send` for the errors).
    public func wait() async throws -> (partition: Int32, offset: Int64) {
        let outcome = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try outcome.get()
    }
}
