/// Why bytes were not a valid STUN message (RFC 8489 §5, §14). Thrown by `StunMessage.parse`.
public struct StunParseError: Error, Hashable, Sendable {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Fewer than 20 bytes, or fewer than the header's length says.
        public static let truncated = Code(rawValue: "truncated")
        /// More bytes than the header's length says.
        public static let trailingBytes = Code(rawValue: "trailing-bytes")
        /// The two most significant bits are not zero (RFC 8489 §5).
        public static let notStun = Code(rawValue: "not-stun")
        /// The magic cookie is not `0x2112A442` (RFC 3489 messages are not supported).
        public static let badMagicCookie = Code(rawValue: "bad-magic-cookie")
        /// The length field is not a multiple of 4 (RFC 8489 §5).
        public static let badLength = Code(rawValue: "bad-length")
        /// An attribute's header or value runs past the message.
        public static let truncatedAttribute = Code(rawValue: "truncated-attribute")
        /// MESSAGE-INTEGRITY not 20 bytes or FINGERPRINT not 4 (RFC 8489 §14.5, §14.7).
        public static let badAttributeLength = Code(rawValue: "bad-attribute-length")
        /// Something other than nothing follows FINGERPRINT (RFC 8489 §14.7).
        public static let attributeAfterFingerprint = Code(rawValue: "attribute-after-fingerprint")
    }

    public var code: Code
    /// Human-readable context: the offending offset or value.
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
