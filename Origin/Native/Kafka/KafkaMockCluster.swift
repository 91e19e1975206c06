internal import CRdKafka

/// librdkafka's in-process mock Kafka cluster (`rdkafka_mock.h`): real Kafka-protocol
/// listeners on loopback that any producer or consumer can use as bootstrap servers, and
/// that answer chosen requests with chosen errors. For fault-injection tests of what a real
/// broker rarely does on demand (fencing a producer, forgetting its id, reordering its
/// sequence); it keeps records in memory only.
///
/// `@unchecked Sendable`: the stored properties never change, and the mock cluster's
/// functions may be called from any thread (they post to the cluster's own thread).
public final class KafkaMockCluster: @unchecked Sendable {
    /// A Kafka protocol error code (the `ErrorCode` of a response, Kafka's protocol guide).
    public struct ErrorCode: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// 45: the broker received a sequence number it did not expect next.
        public static let outOfOrderSequenceNumber = ErrorCode(rawValue: RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER.rawValue)
        /// 47: the producer's epoch is older than the one the broker knows.
        public static let invalidProducerEpoch = ErrorCode(rawValue: RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue)
        /// 59: the broker has no state for the producer id (e.g. it lost it on a restart).
        public static let unknownProducerID = ErrorCode(rawValue: RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID.rawValue)
        /// 90: a newer producer with the same id fenced this one.
        public static let producerFenced = ErrorCode(rawValue: RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue)

        /// librdkafka's name for the code, e.g. "PRODUCER_FENCED".
        public var description: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
    }

    /// A Kafka request type (the protocol's ApiKey).
    public struct Request: Hashable, Sendable {
        public let apiKey: Int16

        public init(apiKey: Int16) { self.apiKey = apiKey }

        /// Produce (ApiKey 0).
        public static let produce = Request(apiKey: 0)
        /// InitProducerId (ApiKey 22): how an idempotent producer gets its id and epoch, and
        /// bumps the epoch after an error.
        public static let initProducerID = Request(apiKey: 22)
    }

    /// The client whose threads serve the mock brokers; it owns nothing else.
    private let client: KafkaClient
    /// The rd_kafka_mock_cluster_t*.
    private let cluster: OpaquePointer

    /// `bootstrap.servers` for clients of this cluster.
    public let bootstrapServers: String

    /// Starts a cluster of `brokers` brokers on loopback ports the system picks.
    /// - Throws: `.kafkaClientCreation` if the hosting client or the cluster cannot be created.
    public init(brokers: Int = 1) throws {
        let configuration = KafkaConfiguration()
        try configuration.set("0", forKey: "log_level")  // the hosting client has nothing to say
        let client = try KafkaClient(kind: .producer, configuration: configuration)
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw OriginNativeError(code: .kafkaClientCreation, message: "rd_kafka_mock_cluster_new failed")
        }
        self.client = client
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        // Before the hosting client, which the cluster uses (KafkaClient.deinit destroys it
        // later, off the calling thread). Blocks briefly while the cluster's thread ends.
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates `topic` with `partitions` partitions (replication factor 1).
    public func createTopic(_ topic: String, partitions: Int32 = 1) throws {
        let status = rd_kafka_mock_topic_create(cluster, topic, partitions, 1)
        guard status == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw OriginNativeError(code: .kafkaAdmin, message: "cannot create mock topic \"\(topic)\": \(KafkaClient.describe(status))",
                                    status: status.rawValue)
        }
    }

    /// Makes the cluster answer the next `errors.count` requests of type `request` (from any
    /// client, on any broker) with these errors, in order, without acting on them: a produce
    /// answered with an error appends nothing.
    public func failNext(_ request: Request, with errors: [ErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer { codes in
            rd_kafka_mock_push_request_errors_array(cluster, request.apiKey, codes.count, codes.baseAddress)
        }
    }
}
