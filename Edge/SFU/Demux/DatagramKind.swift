import NIOCore

/// What a datagram on the shared media port is, from its first two bytes: RFC 7983 §7 (first
/// byte: 0–3 STUN, 16–19 ZRTP, 20–63 DTLS, 64–79 TURN channel, 128–191 RTP/RTCP) refined by
/// RFC 5761 §4 (with rtcp-mux, second byte & 0x7F in 64–95, i.e. packet types 192–223, is RTCP).
public struct DatagramKind: Hashable, Sendable, RawRepresentable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let stun = DatagramKind(rawValue: "stun")
    public static let zrtp = DatagramKind(rawValue: "zrtp")
    public static let dtls = DatagramKind(rawValue: "dtls")
    public static let turnChannel = DatagramKind(rawValue: "turn-channel")
    public static let rtp = DatagramKind(rawValue: "rtp")
    public static let rtcp = DatagramKind(rawValue: "rtcp")
    /// Anything else, and datagrams too short to tell: drop.
    public static let unknown = DatagramKind(rawValue: "unknown")

    /// Classifies `datagram`'s readable bytes. RTP and RTCP need at least 2 bytes.
    public static func classify(_ datagram: ByteBuffer) -> DatagramKind {
        guard let first = datagram.getInteger(at: datagram.readerIndex, as: UInt8.self) else { return .unknown }
        switch first {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannel
        case 128...191:
            guard let second = datagram.getInteger(at: datagram.readerIndex + 1, as: UInt8.self) else { return .unknown }
            return isRTCP(secondByte: second) ? .rtcp : .rtp
        default: return .unknown
        }
    }

    /// RFC 5761 §4: RTP payload types 64–95 are reserved so that RTCP packet types 192–223
    /// (their second byte with the marker bit set) can share the port.
    public static func isRTCP(secondByte: UInt8) -> Bool {
        (64...95).contains(secondByte & 0x7F)
    }
}
