/// Why a call operation was refused; the gateway maps `code` to an `error` event.
public struct CallError: Error, Hashable, Sendable {
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let callFull = Code(rawValue: "call_full")
        public static let alreadyJoined = Code(rawValue: "already_joined")
        public static let notJoined = Code(rawValue: "not_joined")
        public static let unknownTrack = Code(rawValue: "unknown_track")
        public static let invalidSDP = Code(rawValue: "invalid_sdp")
        public static let noOfferPending = Code(rawValue: "no_offer_pending")
        public static let closed = Code(rawValue: "call_closed")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
