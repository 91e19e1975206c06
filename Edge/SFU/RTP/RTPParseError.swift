/// Why bytes were not a valid RTP packet (RFC 3550 §5.1, RFC 8285). Thrown by `RTPPacket.parse`.
public struct RTPParseError: Error, Hashable, Sendable {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Fewer bytes than the fixed header, the CSRC list or the extension need.
        public static let truncated = Code(rawValue: "truncated")
        /// Version is not 2.
        public static let badVersion = Code(rawValue: "bad-version")
        /// P set but the padding count is 0 or longer than the payload (RFC 3550 §5.1).
        public static let badPadding = Code(rawValue: "bad-padding")
    }

    public var code: Code
    /// Human-readable context.
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
