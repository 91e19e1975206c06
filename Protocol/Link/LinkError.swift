import StreamLyProtocol

/// Errors the link runtime reports to its callers.
public struct LinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Extensible error codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The connection closed before the operation finished.
        public static let connectionClosed = Code(name: "connectionClosed")
        /// The peer refused the stream before processing it: safe to retry on another peer.
        public static let refused = Code(name: "refused")
        /// The peer reset the stream (see `protocolCode`).
        public static let streamReset = Code(name: "streamReset")
        /// The peer closed the connection with an error (see `protocolCode`), or we did.
        public static let protocolFailure = Code(name: "protocolFailure")
        /// No healthy peer to send the request to.
        public static let unavailable = Code(name: "unavailable")
        /// The operation did not finish in time.
        public static let timeout = Code(name: "timeout")
        /// A body or field exceeded a configured limit.
        public static let tooLarge = Code(name: "tooLarge")
        /// The caller's arguments are invalid.
        public static let invalidArgument = Code(name: "invalidArgument")
    }

    public var code: Code
    /// The wire error code involved, if any.
    public var protocolCode: LinkErrorCode?
    public var message: String

    public init(_ code: Code, protocolCode: LinkErrorCode? = nil, _ message: String) {
        self.code = code
        self.protocolCode = protocolCode
        self.message = message
    }

    /// Whether the request was certainly not processed, so it may be sent to another peer.
    public var isRetryable: Bool {
        code == .refused || code == .unavailable
    }

    public var description: String {
        if let protocolCode { return "\(code) (\(protocolCode)): \(message)" }
        return "\(code): \(message)"
    }

    init(_ error: LinkProtocolError) {
        self.init(error.code == .refusedStream ? .refused : .protocolFailure, protocolCode: error.code, error.message)
    }
}
