import NIOCore

extension LinkFrame {
    /// Ends the connection, or with NO_ERROR starts a graceful drain: the sender will
    /// process streams up to `lastStreamID` that the peer opened and accept no new ones.
    public struct GoAway: Hashable, Sendable {
        public var lastStreamID: LinkStreamID
        public var code: LinkErrorCode
        public var reason: String

        public init(lastStreamID: LinkStreamID, code: LinkErrorCode, reason: String = "") {
            self.lastStreamID = lastStreamID
            self.code = code
            self.reason = reason.truncatedUTF8(maxBytes: linkMaxReasonLength)
        }

        static func decode(from buffer: inout ByteBuffer) throws -> GoAway {
            let last = try buffer.readLinkInteger(UInt32.self, field: "last stream id")
            let code = LinkErrorCode(rawValue: try buffer.readLinkInteger(UInt32.self, field: "error code"))
            let reason = try buffer.readString16(field: "reason", limit: linkMaxReasonLength)
            try buffer.expectFullyConsumed(.goAway)
            return GoAway(lastStreamID: LinkStreamID(last & 0x7FFF_FFFF), code: code, reason: reason)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeMultipleIntegers(lastStreamID.rawValue, code.rawValue)
            buffer.writeString16(reason)
        }
    }
}
