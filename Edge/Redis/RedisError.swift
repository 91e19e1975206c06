/// An error reported by `StreamLyRedis`.
///
/// Errors carry a `code` to switch on and a human-readable `message`; for `.server` the message
/// is Redis's own error text (e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`).
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds are added as static members, so switching over codes
    /// needs a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, lowercase identifier for logs and metrics.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// Redis answered with an error reply (`-ERR …`); `message` is its text.
        public static let server = Code("server")
        /// The server sent bytes that are not valid RESP2, or a reply nobody asked for.
        /// The connection is closed.
        public static let protocolError = Code("protocol-error")
        /// A reply exceeded `RedisConfiguration.maxReplySize`. The connection is closed.
        public static let replyTooLarge = Code("reply-too-large")
        /// The connection closed before the reply arrived. The command may or may not have run.
        public static let connectionClosed = Code("connection-closed")
        /// No connection to Redis was available within `RedisConfiguration.connectionWait`.
        /// The command was certainly not sent.
        public static let unavailable = Code("unavailable")
        /// The client or subscriber was closed.
        public static let closed = Code("closed")
        /// Connecting, or the AUTH/SELECT handshake, failed.
        public static let connectFailed = Code("connect-failed")
        /// The reply has a different shape than the typed helper expects.
        public static let unexpectedReply = Code("unexpected-reply")
        /// A `redis://` URL could not be parsed.
        public static let invalidURL = Code("invalid-url")
        /// The caller passed an argument the client rejects before sending.
        public static let invalidArgument = Code("invalid-argument")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable detail; Redis's error text for `.server`.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether the command was certainly not executed, so retrying it cannot apply it twice.
    public var isRetryable: Bool {
        code == .unavailable
    }

    /// The first word of a `.server` message, e.g. `ERR`, `WRONGTYPE`, `NOSCRIPT`, `NOAUTH`.
    public var serverErrorPrefix: Substring? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }

    public var description: String { "\(code): \(message)" }
}
