internal import CRdKafka

/// Kafka's admin requests the origin needs: creating its topics at start-up, so consumers
/// that start reading "from now on" are assigned partitions before the first record is
/// written (a topic created by the first produce reaches a subscribed consumer only after
/// its next metadata refresh and rebalance, and the records in between are skipped).
public enum KafkaAdmin {
    /// A topic to create.
    public struct Topic: Sendable, Hashable {
        public var name: String
        public var partitions: Int32
        /// -1: the broker's `default.replication.factor`.
        public var replicationFactor: Int32
        /// Topic-level configuration, e.g. `["min.insync.replicas": "2"]`.
        public var configuration: [String: String]

        public init(name: String, partitions: Int32, replicationFactor: Int32 = -1, configuration: [String: String] = [:]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.configuration = configuration
        }
    }

    /// Creates the topics that do not exist yet (`CreateTopics`; an existing topic is left
    /// as it is, whatever its partition count). Blocks a dispatch thread, not the caller's.
    ///
    /// - Throws: `.kafkaAdmin` if the broker did not answer within `timeout` or refused a
    ///   topic (e.g. more replicas than brokers), `.kafkaInvalidBrokers`, `.kafkaClientCreation`.
    public static func createTopics(
        _ topics: [Topic], brokers: String, properties: [String: String] = [:], timeout: Duration = .seconds(10)
    ) async throws {
        guard !topics.isEmpty else { return }
        try KafkaClient.validateBrokers(brokers)
        let configuration = KafkaConfiguration()
        try configuration.set(brokers, forKey: "bootstrap.servers")
        try KafkaClient.apply(properties, to: configuration)
        let client = try KafkaClient(kind: .producer, configuration: configuration)
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        try await client.runBlocking {
            try create(topics, client: client, milliseconds: milliseconds)
        }
    }

    private static func create(_ topics: [Topic], client: KafkaClient, milliseconds: Int32) throws {
        var message = [CChar](repeating: 0, count: 512)
        var requests: [OpaquePointer?] = []
        defer { for request in requests { rd_kafka_NewTopic_destroy(request) } }
        for topic in topics {
            guard let request = rd_kafka_NewTopic_new(topic.name, topic.partitions, topic.replicationFactor,
                                                      &message, message.count) else {
                throw OriginNativeError(code: .kafkaAdmin,
                                        message: "topic \"\(topic.name)\": \(KafkaClient.string(message))")
            }
            requests.append(request)
            for (key, value) in topic.configuration.sorted(by: { $0.key < $1.key }) {
                let status = rd_kafka_NewTopic_set_config(request, key, value)
                guard status == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw OriginNativeError(code: .kafkaAdmin, message: "topic \"\(topic.name)\" config \(key)=\(value): "
                                            + KafkaClient.describe(status), status: status.rawValue)
                }
            }
        }
        guard let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw OriginNativeError(code: .kafkaAdmin, message: "rd_kafka_AdminOptions_new failed")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &message, message.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &message, message.count)
        guard let queue = rd_kafka_queue_new(client.handle) else {
            throw OriginNativeError(code: .kafkaAdmin, message: "rd_kafka_queue_new failed")
        }
        defer { rd_kafka_queue_destroy(queue) }
        requests.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(client.handle, buffer.baseAddress, buffer.count, options, queue)
        }
        // The result arrives on the queue; the request timeout bounds it (plus a margin).
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: Int(milliseconds) + 2_000)) else {
            throw OriginNativeError(code: .kafkaAdmin, message: "no answer to CreateTopics within \(milliseconds) ms",
                                    status: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
        }
        defer { rd_kafka_event_destroy(event) }
        let status = rd_kafka_event_error(event)
        guard status == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw OriginNativeError(code: .kafkaAdmin, message: "CreateTopics: " + String(cString: rd_kafka_event_error_string(event)),
                                    status: status.rawValue)
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw OriginNativeError(code: .kafkaAdmin, message: "CreateTopics: unexpected event")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topic = results[index]
            let status = rd_kafka_topic_result_error(topic)
            guard status != RD_KAFKA_RESP_ERR_NO_ERROR, status != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topic))
            let reason = rd_kafka_topic_result_error_string(topic).map { String(cString: $0) } ?? KafkaClient.describe(status)
            throw OriginNativeError(code: .kafkaAdmin, message: "cannot create topic \"\(name)\": \(reason)", status: status.rawValue)
        }
    }
}
