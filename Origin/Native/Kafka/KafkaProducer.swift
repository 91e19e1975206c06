internal import CRdKafka
import Synchronization

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`, `linger.ms=2` unless
/// overridden): records with the same key go to the same partition in send order, without
/// duplicates from retries.
///
/// A dedicated thread serves delivery reports (`rd_kafka_poll`); `send` resumes when the
/// broker has acknowledged the record. Call `close()` before dropping the last reference, so
/// outstanding records are flushed.
public final class KafkaProducer: Sendable {
    private let client: KafkaClient
    private let pollThread: KafkaPollThread
    /// True once `close()` started; checked and held while enqueueing, so no record is
    /// enqueued after the final flush.
    private let closed = Mutex(false)

    /// Creates the producer and starts its poll thread.
    ///
    /// - Parameters:
    ///   - brokers: `bootstrap.servers`, e.g. "127.0.0.1:19092,127.0.0.1:19093".
    ///   - clientID: `client.id`, shown in broker logs and metrics.
    ///   - properties: further librdkafka properties (CONFIGURATION.md), applied last, e.g.
    ///     `["message.timeout.ms": "5000"]`.
    /// - Throws: `OriginNativeError` with `.kafkaInvalidBrokers`, `.kafkaUnknownProperty`,
    ///   `.kafkaInvalidValue` or `.kafkaClientCreation`.
    public init(brokers: String, clientID: String, properties: [String: String] = [:]) throws {
        try KafkaClient.validateBrokers(brokers)
        let configuration = KafkaConfiguration()
        try configuration.set(brokers, forKey: "bootstrap.servers")
        try configuration.set(clientID, forKey: "client.id")
        try configuration.set("true", forKey: "enable.idempotence")
        try configuration.set("all", forKey: "acks")
        try configuration.set("2", forKey: "linger.ms")
        try KafkaClient.apply(properties, to: configuration)
        rd_kafka_conf_set_dr_msg_cb(configuration.configuration, KafkaDeliveryReport.callback)

        let client = try KafkaClient(kind: .producer, configuration: configuration)
        self.client = client
        self.pollThread = KafkaPollThread(
            name: "kafka-poll \(client.name)",
            iteration: {
                rd_kafka_poll(client.handle, 100)
                return true
            },
            finish: {}
        )
    }

    deinit {
        // The poll thread holds the client until its loop ends; the last reference destroys it
        // (off the cooperative pool, see KafkaClient.deinit).
        pollThread.requestStop()
    }

    /// Sends one record and waits for the broker's acknowledgement (the delivery report), so
    /// the record is durable when this returns. The partition is chosen from the key
    /// (librdkafka's `partitioner`, default `consistent_random`). Cancelling the calling task
    /// does not withdraw the record; `message.timeout.ms` bounds the wait.
    ///
    /// - Returns: where the record was written.
    /// - Throws: `OriginNativeError`: `.kafkaProduce` if librdkafka refused to enqueue it,
    ///   `.kafkaDelivery` with librdkafka's reason if it was not written (e.g. "Local: Message
    ///   timed out"), `.kafkaClosed` after `close()`.
    public func send(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []
    ) async throws -> (partition: Int32, offset: Int64) {
        try await withCheckedThrowingContinuation { continuation in
            submit(topic: topic, key: key, value: value, headers: headers) { continuation.resume(with: $0) }
        }
    }

    /// Hands one record to librdkafka now and returns without waiting: records produced one
    /// after another keep that order within a partition. `wait()` on the result gives what
    /// `send` would have returned or thrown.
    public func produce(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []
    ) -> KafkaPendingDelivery {
        let pending = KafkaPendingDelivery()
        submit(topic: topic, key: key, value: value, headers: headers) { pending.complete($0) }
        return pending
    }

    /// Enqueues the record; `completion` runs once, with the delivery report or at once if
    /// the record was not enqueued.
    private func submit(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader],
        completion: @escaping KafkaDeliveryReport.Completion
    ) {
        let report = Unmanaged.passRetained(KafkaDeliveryReport(topic: topic, completion: completion))
        let status: rd_kafka_resp_err_t? = closed.withLock { closed in
            guard !closed else { return nil }
            return enqueue(topic: topic, key: key, value: value, headers: headers, opaque: report.toOpaque())
        }
        guard status != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        // Not enqueued: no delivery report will come, so the box is released here.
        report.release()
        if let status {
            completion(.failure(OriginNativeError(
                code: .kafkaProduce,
                message: "cannot enqueue record for topic \"\(topic)\": \(KafkaClient.describe(status))",
                status: status.rawValue
            )))
        } else {
            completion(.failure(OriginNativeError(code: .kafkaClosed, message: "producer is closed")))
        }
    }

    /// Enqueues one record with `rd_kafka_produceva` (the variadic `rd_kafka_producev` cannot
    /// be called from Swift). librdkafka copies key, value and headers before returning, and
    /// frees its copies itself if it refuses the record.
    private func enqueue(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader], opaque: UnsafeMutableRawPointer
    ) -> rd_kafka_resp_err_t {
        // Topic and header names (NUL-terminated) and header values, in one buffer that stays
        // valid for the call.
        var strings: [UInt8] = []
        var layout: [(name: Int, value: Int?, count: Int)] = []
        strings.append(contentsOf: topic.utf8)
        strings.append(0)
        for header in headers {
            let name = strings.count
            strings.append(contentsOf: header.name.utf8)
            strings.append(0)
            let value = header.value.map { value in
                defer { strings.append(contentsOf: value) }
                return strings.count
            }
            layout.append((name, value, header.value?.count ?? 0))
        }

        return strings.withUnsafeBytes { strings in
            withBytes(of: key) { key in
                withBytes(of: value) { value in
                    let base = strings.baseAddress!
                    var arguments = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 5 + layout.count)
                    arguments[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    arguments[0].u.cstr = base.assumingMemoryBound(to: CChar.self)
                    arguments[1].vtype = RD_KAFKA_VTYPE_KEY
                    arguments[1].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count)
                    arguments[2].vtype = RD_KAFKA_VTYPE_VALUE
                    arguments[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count)
                    arguments[3].vtype = RD_KAFKA_VTYPE_OPAQUE
                    arguments[3].u.ptr = opaque
                    arguments[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    arguments[4].u.i = RD_KAFKA_MSG_F_COPY  // key and value are copied before return
                    for (index, header) in layout.enumerated() {
                        arguments[5 + index].vtype = RD_KAFKA_VTYPE_HEADER
                        arguments[5 + index].u.header = .init(
                            name: (base + header.name).assumingMemoryBound(to: CChar.self),
                            val: header.value.map { base + $0 },  // nil: Kafka's null value
                            size: header.count
                        )
                    }
                    // No RD_KAFKA_VTYPE_PARTITION: the partitioner picks one from the key.
                    guard let error = rd_kafka_produceva(client.handle, arguments, arguments.count) else {
                        return RD_KAFKA_RESP_ERR_NO_ERROR
                    }
                    defer { rd_kafka_error_destroy(error) }
                    return rd_kafka_error_code(error)
                }
            }
        }
    }

    /// Why the producer is unusable, once librdkafka has raised a fatal error (for an
    /// idempotent producer: the broker lost or reordered acknowledged records). A fatal
    /// producer fails every later record; the owner replaces it with a new one.
    public var fatalFailure: OriginNativeError? { client.fatalError(as: .kafkaProduce) }

    /// Waits until every record sent so far has its delivery report.
    /// - Throws: `.kafkaFlushTimedOut` if some are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws {
        let client = client
        let milliseconds = Self.milliseconds(timeout)
        let outstanding = try await client.runBlocking { () -> Int32 in
            guard rd_kafka_flush(client.handle, milliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR else { return 0 }
            return rd_kafka_outq_len(client.handle)
        }
        guard outstanding == 0 else {
            throw OriginNativeError(
                code: .kafkaFlushTimedOut,
                message: "\(outstanding) records or events still outstanding after \(timeout)",
                status: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
            )
        }
    }

    /// Stops accepting records, waits up to `timeout` for outstanding deliveries, fails the rest
    /// (their `send` throws `.kafkaDelivery`, "purged"), then stops the poll thread.
    /// Calling it again just waits for the first call to finish.
    public func close(timeout: Duration = .seconds(10)) async {
        let alreadyClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if !alreadyClosed {
            let client = client
            let milliseconds = Self.milliseconds(timeout)
            _ = try? await client.runBlocking {
                if rd_kafka_flush(client.handle, milliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
                    _ = rd_kafka_purge(client.handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                    // Serve the purged records' delivery reports, so every send resumes.
                    _ = rd_kafka_flush(client.handle, 1000)
                }
            }
            pollThread.requestStop()
        }
        await pollThread.join()
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}

/// Calls `body` with the bytes of `array`: a null pointer for nil, a non-null pointer with
/// count 0 for an empty array (Kafka distinguishes a null key or value from an empty one).
private func withBytes<Result>(of array: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    guard let array else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    guard !array.isEmpty else {
        return withUnsafeBytes(of: UInt8(0)) { body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
    }
    return array.withUnsafeBytes(body)
}
