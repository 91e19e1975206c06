import NIOCore

extension LinkFrame {
    /// Gives the peer more flow-control credit on one stream, or on the whole connection (stream 0).
    public struct WindowUpdate: Hashable, Sendable {
        public var streamID: LinkStreamID
        /// 1 ... 2^31 - 1 body bytes.
        public var increment: UInt32

        public init(streamID: LinkStreamID, increment: UInt32) {
            self.streamID = streamID
            self.increment = increment
        }

        static func decode(header: LinkFrameHeader, from buffer: inout ByteBuffer) throws -> WindowUpdate {
            let increment = try buffer.readLinkInteger(UInt32.self, field: "increment")
            try buffer.expectFullyConsumed(.windowUpdate)
            guard increment > 0, increment <= LinkSettings.maxWindow else {
                throw LinkProtocolError(.flowControlError, "window increment \(increment) out of range")
            }
            return WindowUpdate(streamID: header.streamID, increment: increment)
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(increment)
        }
    }
}
