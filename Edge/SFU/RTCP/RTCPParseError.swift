/// Why bytes were not valid RTCP (RFC 3550 §6.4–6.6, RFC 4585 §6, RFC 5104 §4.3). Thrown by the
/// compound iterator.
public struct RTCPParseError: Error, Hashable, Sendable {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Fewer bytes than the header or its length field say.
        public static let truncated = Code(rawValue: "truncated")
        /// Version is not 2.
        public static let badVersion = Code(rawValue: "bad-version")
        /// P set on a packet that is not the last of the compound, or a bad padding count
        /// (RFC 3550 §6.4.1).
        public static let badPadding = Code(rawValue: "bad-padding")
        /// The body is too short for what the header announces (report blocks, FCI entries).
        public static let badBody = Code(rawValue: "bad-body")
    }

    public var code: Code
    /// Human-readable context.
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
