import NIOCore

/// Generic NACK (RFC 4585 §6.2.1): RTPFB (PT 205) with FMT 1; FCI is a list of
/// `RTCPNackItem`s.
public struct RTCPGenericNack: Hashable, Sendable, RTCPWritable {
    /// FMT value of a generic NACK.
    public static let format: UInt8 = 1

    public var senderSSRC: UInt32
    /// The stream whose packets were lost: route by it (SFU-NOTES §3).
    public var mediaSSRC: UInt32
    public var items: [RTCPNackItem]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, items: [RTCPNackItem]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.items = items
    }

    /// Every sequence number reported lost.
    public var lostSequenceNumbers: [UInt16] {
        items.flatMap(\.lostSequenceNumbers)
    }

    static func parse(body: ByteBuffer) throws(RTPPacketError) -> RTCPGenericNack {
        let at = body.readerIndex
        guard let sender = body.getInteger(at: at, as: UInt32.self),
              let media = body.getInteger(at: at + 4, as: UInt32.self)
        else { throw RTPPacketError(.badBody, "NACK needs 8 bytes of SSRCs") }
        let fciLength = body.readableBytes - 8
        guard fciLength >= 4 else { throw RTPPacketError(.badBody, "NACK without FCI") }
        let items = (0..<fciLength / 4).compactMap { index -> RTCPNackItem? in
            guard let pid = body.getInteger(at: at + 8 + 4 * index, as: UInt16.self),
                  let blp = body.getInteger(at: at + 10 + 4 * index, as: UInt16.self)
            else { return nil }
            return RTCPNackItem(packetID: pid, lostBitmask: blp)
        }
        return RTCPGenericNack(senderSSRC: sender, mediaSSRC: media, items: items)
    }

    /// Writes at most 16 381 items (the 16-bit length field's limit).
    public func write(to buffer: inout ByteBuffer) {
        let written = items.prefix(16_381)
        RTCPHeader.write(count: Self.format, type: .transportFeedback, bodyLength: 8 + 4 * written.count, to: &buffer)
        buffer.writeInteger(senderSSRC)
        buffer.writeInteger(mediaSSRC)
        for item in written {
            buffer.writeInteger(item.packetID)
            buffer.writeInteger(item.lostBitmask)
        }
    }
}
