/// An error reported by one of the C libraries wrapped in `StreamLyOriginNative`
/// (librdkafka, FFmpeg) or by the work built on them (the transcode ladder).
public struct OriginNativeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds are added as static members, so switching over codes
    /// needs a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, lowercase identifier for logs and metrics.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The code named `name`, e.g. as a transcode worker process reported it; a name this
        /// version does not know stays representable.
        public init(encoded name: String) {
            self.name = name
        }

        /// librdkafka does not know the configuration property.
        public static let kafkaUnknownProperty = Code("kafka-unknown-property")
        /// librdkafka rejected the value of a known configuration property.
        public static let kafkaInvalidValue = Code("kafka-invalid-value")
        /// A broker list is empty or not of the form `host[:port][,host[:port]...]`.
        public static let kafkaInvalidBrokers = Code("kafka-invalid-brokers")
        /// `rd_kafka_new` refused to create a client; the message is librdkafka's.
        public static let kafkaClientCreation = Code("kafka-client-creation")
        /// librdkafka refused to enqueue a record (queue full, record too large, unknown
        /// partition, ...); the status is the `rd_kafka_resp_err_t`.
        public static let kafkaProduce = Code("kafka-produce")
        /// The delivery report said the record was not written (e.g. `message.timeout.ms`
        /// exceeded, purged at close, fatal idempotence error); the status is the `rd_kafka_resp_err_t`.
        public static let kafkaDelivery = Code("kafka-delivery")
        /// `flush` did not see every outstanding delivery report within its timeout.
        public static let kafkaFlushTimedOut = Code("kafka-flush-timed-out")
        /// `rd_kafka_subscribe` failed.
        public static let kafkaSubscribe = Code("kafka-subscribe")
        /// The consumer hit a fatal error and stopped; the message is librdkafka's.
        public static let kafkaConsume = Code("kafka-consume")
        /// An offset commit failed (e.g. the partition was revoked, rebalance in progress).
        public static let kafkaCommit = Code("kafka-commit")
        /// The client was already closed.
        public static let kafkaClosed = Code("kafka-closed")
        /// An admin request (creating topics) failed or timed out; the status is the
        /// `rd_kafka_resp_err_t` of the request or of the first topic that failed.
        public static let kafkaAdmin = Code("kafka-admin")
        /// An FFmpeg call returned a negative `AVERROR` code; the message is `av_strerror`'s.
        public static let ffmpeg = Code("ffmpeg")
        /// The input is not a usable video: it cannot be opened or probed, its container is not
        /// an accepted video format, it has no video stream, or no frame could be decoded.
        public static let invalidMedia = Code("invalid-media")
        /// The job was stopped by its cancellation check before it finished.
        public static let cancelled = Code("cancelled")
        /// Writing or reading an output file or directory failed.
        public static let io = Code("io")
        /// A settings value is out of range (e.g. a `TranscodeConfiguration` with no rungs).
        public static let invalidConfiguration = Code("invalid-configuration")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable detail, usually the C library's own error text.
    public var message: String
    /// The C library's numeric status code, when it reported one.
    public var status: Int32?

    /// Creates an error.
    public init(code: Code, message: String, status: Int32? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String {
        if let status {
            return "\(code): \(message) (status \(status))"
        }
        return "\(code): \(message)"
    }
}
