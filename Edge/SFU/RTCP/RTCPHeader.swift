import NIOCore

/// The common RTCP header (RFC 3550 §6.4.1):
///
/// ```
/// |V=2|P|  RC/FMT |      PT       |     length (words − 1)        |
/// ```
/// `count` is the report count (SR, RR), source count (SDES, BYE) or feedback message type
/// (RTPFB, PSFB: RFC 4585 §6.1).
public struct RTCPHeader: Hashable, Sendable {
    public var padding: Bool
    /// 5 bits: RC, SC or FMT.
    public var count: UInt8
    public var packetType: RTCPPacketType
    /// Length of the packet in 32-bit words minus one, as on the wire.
    public var length: UInt16

    public init(padding: Bool = false, count: UInt8, packetType: RTCPPacketType, length: UInt16) {
        self.padding = padding
        self.count = count & 0x1F
        self.packetType = packetType
        self.length = length
    }

    /// Total bytes of the packet, header included.
    public var packetLength: Int { 4 * (Int(length) + 1) }

    /// Writes a header for a packet of `bodyLength` bytes after the header (a multiple of 4).
    static func write(count: UInt8, type: RTCPPacketType, bodyLength: Int, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x80 | (count & 0x1F)))
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(UInt16(truncatingIfNeeded: bodyLength / 4))
    }
}
