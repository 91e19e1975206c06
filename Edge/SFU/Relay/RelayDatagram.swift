import NIOCore

/// The 8-byte header in front of every datagram on the edge-to-edge relay socket
/// (`rtc.relay.port`): byte 0 `0xD7` (outside every RFC 7983 range), byte 1 the kind, bytes 2–3
/// zero, bytes 4–7 the receiver's link id (0 in a `hello`, which is routed by call and sender).
/// The payload follows: a hello (`RelayHello`), a sealed state message (`RelaySealedState`), or an
/// SRTP/SRTCP packet (RFC 3711) protected with the link's keys.
public struct RelayDatagram: Hashable, Sendable {
    public struct Kind: Hashable, Sendable, RawRepresentable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Opens a link: the sender's link id, nonce and call, HMAC'ed with the cluster secret.
        public static let hello = Kind(rawValue: 1)
        /// Accepts a hello (echoes its nonce); both sides then derive the link's keys.
        public static let helloAck = Kind(rawValue: 2)
        /// What the sender publishes and needs (AES-128-GCM sealed); also the keepalive.
        public static let state = Kind(rawValue: 3)
        public static let srtp = Kind(rawValue: 4)
        public static let srtcp = Kind(rawValue: 5)
    }

    public static let magic: UInt8 = 0xD7
    public static let headerLength = 8
    /// The longest datagram read or sent (a state message may be this long; media is ~1.2 kB).
    public static let maximumLength = 16_384

    public var kind: Kind
    /// The receiver's link id; 0 for `hello`.
    public var linkID: UInt32

    public init(kind: Kind, linkID: UInt32) {
        self.kind = kind
        self.linkID = linkID
    }

    /// Reads the header and moves the reader index past it; nil (buffer untouched) when the
    /// datagram is not a relay datagram.
    public static func parse(_ buffer: inout ByteBuffer) -> RelayDatagram? {
        guard buffer.readableBytes >= headerLength, buffer.readableBytes <= maximumLength,
              buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == magic,
              let kind = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
              let linkID = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self),
              (1...5).contains(kind)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        return RelayDatagram(kind: Kind(rawValue: kind), linkID: linkID)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.magic)
        buffer.writeInteger(kind.rawValue)
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(linkID)
    }
}
