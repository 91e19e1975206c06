/// An error reported by one of the C libraries wrapped in `StreamLyOriginNative`
/// (librdkafka, FFmpeg).
public struct OriginNativeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds are added as static members, so switching over codes
    /// needs a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, lowercase identifier for logs and metrics.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// librdkafka does not know the configuration property.
        public static let kafkaUnknownProperty = Code("kafka-unknown-property")
        /// librdkafka rejected the value of a known configuration property.
        public static let kafkaInvalidValue = Code("kafka-invalid-value")
        /// An FFmpeg call returned a negative `AVERROR` code; the message is `av_strerror`'s.
        public static let ffmpeg = Code("ffmpeg")

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
