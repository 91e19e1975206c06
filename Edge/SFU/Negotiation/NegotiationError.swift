/// Why an offer or answer from a client cannot be used; becomes an `error` event
/// (`invalid_sdp` / `unsupported_media`) with `reason`.
public struct NegotiationError: Error, Hashable, Sendable {
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Not parseable SDP (the `SDPParseError` is in the reason).
        public static let malformed = Code(rawValue: "malformed")
        /// Parseable, but missing what WebRTC needs (ICE credentials, fingerprint, rtcp-mux, BUNDLE, mid).
        public static let incomplete = Code(rawValue: "incomplete")
        /// No m-section with a codec the SFU forwards.
        public static let noUsableMedia = Code(rawValue: "no-usable-media")
        /// The answer does not match the offer it answers.
        public static let mismatch = Code(rawValue: "mismatch")
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}
