/// An error reported by one of the C libraries wrapped in `StreamLySFUNative`
/// (OpenSSL, libsrtp, libopus).
public struct MediaNativeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds are added as static members, so switching over codes
    /// needs a `default` branch.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable, lowercase identifier for logs and metrics.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// OpenSSL failed (key or certificate generation, context set-up, DTLS handshake).
        public static let tls = Code("tls")
        /// libsrtp failed for a reason other than authentication or replay.
        public static let srtp = Code("srtp")
        /// An SRTP/SRTCP packet failed authentication: tampered, truncated or wrong key.
        public static let srtpAuthentication = Code("srtp-authentication")
        /// An SRTP/SRTCP packet was already received or is too old for the replay window.
        public static let srtpReplay = Code("srtp-replay")
        /// libopus failed; the message is `opus_strerror`'s text.
        public static let opus = Code("opus")
        /// A caller passed a value the wrapper rejects before calling into C.
        public static let invalidArgument = Code("invalid-argument")

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
