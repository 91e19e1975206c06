import NIOCore

extension LinkFrame {
    /// Heartbeat and round-trip probe: 8 opaque bytes, echoed back with the ACK flag.
    public struct Ping: Hashable, Sendable {
        public var opaque: UInt64
        public var ack: Bool

        public init(opaque: UInt64, ack: Bool) {
            self.opaque = opaque
            self.ack = ack
        }

        static func decode(header: LinkFrameHeader, from buffer: inout ByteBuffer) throws -> Ping {
            let opaque = try buffer.readLinkInteger(UInt64.self, field: "opaque")
            try buffer.expectFullyConsumed(.ping)
            return Ping(opaque: opaque, ack: header.flags.contains(.ack))
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeInteger(opaque)
        }
    }
}
