import NIOCore

/// Most bytes of a RESET or GOAWAY reason.
public let linkMaxReasonLength = 1_024

extension LinkFrame {
    /// Ends one stream abnormally, in both directions.
    public struct Reset: Hashable, Sendable {
        public var streamID: LinkStreamID
        public var code: LinkErrorCode
        public var reason: String

        public init(streamID: LinkStreamID, code: LinkErrorCode, reason: String = "") {
            self.streamID = streamID
            self.code = code
            self.reason = reason.truncatedUTF8(maxBytes: linkMaxReasonLength)
        }

        static func decode(header: LinkFrameHeader, from buffer: inout ByteBuffer) throws -> Reset {
            let code = LinkErrorCode(rawValue: try buffer.readLinkInteger(UInt32.self, field: "error code"))
            let reason = try buffer.readString16(field: "reason", limit: linkMaxReasonLength)
            try buffer.expectFullyConsumed(.reset)
            return Reset(streamID: header.streamID, code: code, reason: reason)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(code.rawValue)
            buffer.writeString16(reason)
        }
    }
}
