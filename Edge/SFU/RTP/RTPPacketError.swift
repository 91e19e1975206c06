/// Why bytes were not a valid RTP packet (RFC 3550 §5.1, RFC 8285) or RTCP compound packet
/// (RFC 3550 §6.4–6.6, RFC 4585 §6, RFC 5104 §4.3). Thrown by `RTPPacket.parse` and the RTCP
/// compound iterator.
public struct RTPPacketError: Error, Hashable, Sendable {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Fewer bytes than the header, the CSRC list, the extension or the length field need.
        public static let truncated = Code(rawValue: "truncated")
        /// Version is not 2.
        public static let badVersion = Code(rawValue: "bad-version")
        /// P set but the padding count is 0 or longer than the payload (RFC 3550 §5.1), or P
        /// set on an RTCP packet that is not the last of its compound (RFC 3550 §6.4.1).
        public static let badPadding = Code(rawValue: "bad-padding")
        /// An RTCP body too short for what its header announces (report blocks, FCI entries).
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
