import NIOCore

/// Walks the packets of an RTCP compound (RFC 3550 §6.1) or of a single reduced-size packet
/// (RFC 5506), one at a time, without copying: each body is a slice of the datagram.
///
/// Total: malformed input ends iteration with an `RTPPacketError`, never a trap. Packets
/// before the malformed one have already been returned.
///
/// ```swift
/// var packets = RTCPCompoundIterator(datagram)
/// while let packet = try packets.next() { … }
/// ```
public struct RTCPCompoundIterator: Sendable {
    private let datagram: ByteBuffer
    private var offset: Int
    private let end: Int

    public init(_ datagram: ByteBuffer) {
        self.datagram = datagram
        self.offset = datagram.readerIndex
        self.end = datagram.readerIndex + datagram.readableBytes
    }

    /// All packets of `datagram`, or the first error.
    public static func parse(_ datagram: ByteBuffer) throws(RTPPacketError) -> [RTCPPacket] {
        var iterator = RTCPCompoundIterator(datagram)
        var packets: [RTCPPacket] = []
        while let packet = try iterator.next() {
            packets.append(packet)
        }
        return packets
    }

    /// The next packet, nil at the end.
    public mutating func next() throws(RTPPacketError) -> RTCPPacket? {
        guard offset < end else { return nil }
        guard offset + 4 <= end,
              let first = datagram.getInteger(at: offset, as: UInt8.self),
              let type = datagram.getInteger(at: offset + 1, as: UInt8.self),
              let length = datagram.getInteger(at: offset + 2, as: UInt16.self)
        else { return try fail(.truncated, "\(end - offset) bytes left, a header needs 4") }
        guard first >> 6 == 2 else { return try fail(.badVersion, "version \(first >> 6) at \(offset)") }
        let header = RTCPHeader(padding: first & 0x20 != 0, count: first & 0x1F,
                                packetType: RTCPPacketType(rawValue: type), length: length)
        let packetEnd = offset + header.packetLength
        guard packetEnd <= end else {
            return try fail(.truncated, "packet at \(offset) needs \(header.packetLength) bytes, \(end - offset) left")
        }
        var bodyLength = header.packetLength - 4
        if header.padding {
            // RFC 3550 §6.4.1: only the last packet of a compound may be padded.
            guard packetEnd == end, let count = datagram.getInteger(at: packetEnd - 1, as: UInt8.self),
                  count > 0, Int(count) <= bodyLength
            else { return try fail(.badPadding, "padding of the packet at \(offset)") }
            bodyLength -= Int(count)
        }
        let body = datagram.getSlice(at: offset + 4, length: bodyLength) ?? ByteBuffer()
        offset = packetEnd
        do {
            return try RTCPPacket.decode(header: header, body: body)
        } catch {
            offset = end
            throw error
        }
    }

    private mutating func fail(_ code: RTPPacketError.Code, _ reason: String) throws(RTPPacketError) -> RTCPPacket? {
        offset = end
        throw RTPPacketError(code, reason)
    }
}
