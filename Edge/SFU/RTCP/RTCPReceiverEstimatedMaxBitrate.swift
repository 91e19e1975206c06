import NIOCore

/// REMB (draft-alvestrand-rmcat-remb-03 §2.2): PSFB (PT 206) with FMT 15 (application layer
/// feedback), media SSRC 0, FCI `'REMB'`, SSRC count, 6-bit exponent + 18-bit mantissa
/// (bitrate = mantissa · 2^exp bit/s), then the SSRCs the estimate applies to.
public struct RTCPReceiverEstimatedMaxBitrate: Hashable, Sendable, RTCPWritable {
    /// FMT value of application layer feedback.
    public static let format: UInt8 = 15
    /// The FCI identifier `'R' 'E' 'M' 'B'`.
    public static let identifier: UInt32 = 0x5245_4D42

    public var senderSSRC: UInt32
    /// Estimated maximum bitrate in bit/s. Values that need more than 18 bits of mantissa lose
    /// their low bits when written; above 2^81 they saturate.
    public var bitrate: UInt64
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    /// True when an application-layer feedback body is REMB.
    static func matches(body: ByteBuffer) -> Bool {
        body.getInteger(at: body.readerIndex + 8, as: UInt32.self) == identifier
    }

    static func parse(body: ByteBuffer) throws(RTPPacketError) -> RTCPReceiverEstimatedMaxBitrate {
        let at = body.readerIndex
        guard let sender = body.getInteger(at: at, as: UInt32.self),
              let word = body.getInteger(at: at + 12, as: UInt32.self)
        else { throw RTPPacketError(.badBody, "REMB needs 16 bytes") }
        let count = Int(word >> 24)
        let exponent = (word >> 18) & 0x3F
        let mantissa = UInt64(word & 0x3_FFFF)
        guard 16 + 4 * count <= body.readableBytes else {
            throw RTPPacketError(.badBody, "REMB lists \(count) SSRCs in \(body.readableBytes) bytes")
        }
        let ssrcs = (0..<count).compactMap { body.getInteger(at: at + 16 + 4 * $0, as: UInt32.self) }
        // Saturate instead of losing high bits (possible only for exponents above 46).
        let bitrate = Int(exponent) > mantissa.leadingZeroBitCount ? UInt64.max : mantissa << exponent
        return RTCPReceiverEstimatedMaxBitrate(senderSSRC: sender, bitrate: bitrate, ssrcs: ssrcs)
    }

    /// The 6-bit exponent and 18-bit mantissa that best represent `bitrate` (rounded down).
    static func encode(_ bitrate: UInt64) -> (exponent: UInt32, mantissa: UInt32) {
        var exponent: UInt32 = 0
        var mantissa = bitrate
        while mantissa > 0x3_FFFF, exponent < 63 {
            mantissa >>= 1
            exponent += 1
        }
        return (exponent, UInt32(min(mantissa, 0x3_FFFF)))
    }

    public func write(to buffer: inout ByteBuffer) {
        let listed = ssrcs.prefix(255)
        let (exponent, mantissa) = Self.encode(bitrate)
        RTCPHeader.write(count: Self.format, type: .payloadFeedback, bodyLength: 16 + 4 * listed.count, to: &buffer)
        buffer.writeInteger(senderSSRC)
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(Self.identifier)
        buffer.writeInteger(UInt32(listed.count) << 24 | exponent << 18 | mantissa)
        for ssrc in listed {
            buffer.writeInteger(ssrc)
        }
    }
}
