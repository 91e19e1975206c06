internal import CRdKafka

/// A Kafka consumer in a consumer group: the group spreads the topics' partitions over its
/// members, and each member reads its partitions in order. Offsets are committed only by
/// `commit(_:)` (`enable.auto.commit=false`), so delivery is at least once; a group without
/// committed offsets starts from the earliest record (`auto.offset.reset=earliest`).
///
/// A dedicated thread runs `rd_kafka_consumer_poll` and the rebalance callback, feeding
/// `records` and `rebalances`. Call `close()` to leave the group promptly.
public final class KafkaConsumer: Sendable {
    /// The records, in order within each partition; see `KafkaRecordSequence`.
    public let records: KafkaRecordSequence
    /// Assignment changes, in the order they happened. Ends when the consumer is closed.
    public let rebalances: AsyncStream<KafkaRebalance>

    private let client: KafkaClient
    private let pollThread: KafkaPollThread

    /// Creates the consumer, subscribes to `topics` and starts polling.
    ///
    /// - Parameters:
    ///   - brokers: `bootstrap.servers`.
    ///   - groupID: `group.id`, the consumer group to join.
    ///   - topics: the topics to subscribe to (names, or regexes starting with "^").
    ///   - properties: further librdkafka properties, applied last. With Tansu set
    ///     `session.timeout.ms` low (e.g. "6000", with `heartbeat.interval.ms` below it): Tansu
    ///     holds a JoinGroup for about half the session timeout.
    ///   - bufferCapacity: records read ahead of the iterating task before polling pauses.
    /// - Throws: `OriginNativeError` with `.kafkaInvalidBrokers`, `.kafkaUnknownProperty`,
    ///   `.kafkaInvalidValue`, `.kafkaClientCreation` or `.kafkaSubscribe`.
    public init(
        brokers: String, groupID: String, topics: [String], properties: [String: String] = [:],
        bufferCapacity: Int = 1000
    ) throws {
        try KafkaClient.validateBrokers(brokers)
        guard !topics.isEmpty else {
            throw OriginNativeError(code: .kafkaSubscribe, message: "no topics to subscribe to")
        }
        let configuration = KafkaConfiguration()
        try configuration.set(brokers, forKey: "bootstrap.servers")
        try configuration.set(groupID, forKey: "group.id")
        try configuration.set("false", forKey: "enable.auto.commit")
        try configuration.set("earliest", forKey: "auto.offset.reset")
        try KafkaClient.apply(properties, to: configuration)
        rd_kafka_conf_set_rebalance_cb(configuration.configuration) { handle, status, partitions, opaque in
            guard let handle, let opaque else { return }
            Unmanaged<KafkaConsumerEvents>.fromOpaque(opaque).takeUnretainedValue()
                .rebalance(handle: handle, status: status, partitions: partitions)
        }

        let buffer = KafkaRecordBuffer(capacity: max(1, bufferCapacity))
        let (rebalances, rebalanceContinuation) = AsyncStream.makeStream(of: KafkaRebalance.self)
        let events = KafkaConsumerEvents(buffer: buffer, rebalances: rebalanceContinuation)
        let client = try KafkaClient(kind: .consumer, configuration: configuration, callbackObject: events)
        // Serve the main queue (errors, logs) from rd_kafka_consumer_poll too.
        rd_kafka_poll_set_consumer(client.handle)

        let subscription = KafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            subscription.add(topic: topic, partition: RD_KAFKA_PARTITION_UA)
        }
        let status = rd_kafka_subscribe(client.handle, subscription.pointer)
        guard status == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw OriginNativeError(
                code: .kafkaSubscribe,
                message: "cannot subscribe to \(topics): \(KafkaClient.describe(status))",
                status: status.rawValue
            )
        }

        self.client = client
        self.records = KafkaRecordSequence(buffer: buffer)
        self.rebalances = rebalances
        self.pollThread = KafkaPollThread(
            name: "kafka-poll \(client.name)",
            iteration: { Self.pollOnce(client: client, buffer: buffer) },
            finish: {
                // Commits nothing (auto commit is off); revokes the assignment through the
                // rebalance callback and sends LeaveGroup, so the group rebalances at once.
                _ = rd_kafka_consumer_close(client.handle)
                buffer.finish(throwing: nil)
                events.rebalances.finish()
            }
        )
    }

    deinit {
        // The poll thread closes the consumer (leaving the group) when its loop ends, then drops
        // its reference to the client; the last reference destroys it.
        pollThread.requestStop()
    }

    /// One turn of the poll thread; returns false to stop after a fatal error.
    private static func pollOnce(client: KafkaClient, buffer: KafkaRecordBuffer) -> Bool {
        guard buffer.waitForSpace(timeout: .milliseconds(100)) else { return true }
        guard let message = rd_kafka_consumer_poll(client.handle, 100) else { return true }
        defer { rd_kafka_message_destroy(message) }
        switch message.pointee.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            buffer.append(KafkaRecord(message: message))
        case RD_KAFKA_RESP_ERR__FATAL:
            let error = client.fatalError(as: .kafkaConsume) ?? OriginNativeError(
                code: .kafkaConsume, message: String(cString: rd_kafka_message_errstr(message)),
                status: RD_KAFKA_RESP_ERR__FATAL.rawValue
            )
            buffer.finish(throwing: error)
            return false
        default:
            // Other consumer errors (broker down, topic not yet available, partition EOF) are
            // informational: librdkafka retries and recovers by itself, and logs them.
            break
        }
        return true
    }

    /// Commits `record.offset + 1` for the record's partition, so a consumer of this group that
    /// takes over the partition starts after it. Synchronous commit (`rd_kafka_commit`), run
    /// off the cooperative pool; commits apply in call order.
    ///
    /// - Throws: `.kafkaCommit` (e.g. the partition was revoked, or a rebalance is in
    ///   progress), `.kafkaClosed` after `close()`.
    public func commit(_ record: KafkaRecord) async throws {
        guard !pollThread.isStopRequested else {
            throw OriginNativeError(code: .kafkaClosed, message: "consumer is closed")
        }
        let client = client
        let (topic, partition, offset) = (record.topic, record.partition, record.offset + 1)
        try await client.runBlocking {
            let offsets = KafkaTopicPartitionList()
            offsets.add(topic: topic, partition: partition, offset: offset)
            var status = rd_kafka_commit(client.handle, offsets.pointer, 0)
            if status == RD_KAFKA_RESP_ERR_NO_ERROR {
                status = KafkaTopicPartitionList.elements(of: offsets.pointer).first?.error ?? status
            }
            guard status == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw OriginNativeError(
                    code: .kafkaCommit,
                    message: "cannot commit offset \(offset) of \(topic)[\(partition)]: \(KafkaClient.describe(status))",
                    status: status.rawValue
                )
            }
        }
    }

    /// Commits `record.offset + 1` for the records' partitions without waiting for the
    /// broker (`rd_kafka_commit` async): commits still apply in call order, and one that
    /// fails is superseded by the next. For consumers whose replay after a crash is harmless.
    /// Does nothing after `close()`.
    public func commitInBackground(_ records: [KafkaRecord]) {
        guard !records.isEmpty, !pollThread.isStopRequested else { return }
        let offsets = KafkaTopicPartitionList()
        for record in records { offsets.add(topic: record.topic, partition: record.partition, offset: record.offset + 1) }
        _ = rd_kafka_commit(client.handle, offsets.pointer, 1)
    }

    /// Leaves the group (`rd_kafka_consumer_close`: the assignment is revoked and the group
    /// rebalances without waiting for the session timeout), then ends `records` and
    /// `rebalances`. Records not yet read are dropped; uncommitted ones are read again by the
    /// partitions' next owner.
    public func close() async {
        pollThread.requestStop()
        await pollThread.join()
    }
}
