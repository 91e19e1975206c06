import NIOCore

/// A reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes.
public struct RTCPReportBlock: Hashable, Sendable {
    /// SSRC of the source this block reports on.
    public var ssrc: UInt32
    /// Fraction lost since the previous report, in 1/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost: 24-bit signed (duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles << 16 | highest).
    public var extendedHighestSequenceNumber: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR received (LSR).
    public var lastSenderReport: UInt32
    /// Delay since that SR in 1/65536 s (DLSR).
    public var delaySinceLastSenderReport: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequenceNumber: UInt32,
                jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    public static let length = 24

    /// Reads one block at `offset`; nil when fewer than 24 bytes remain.
    static func read(from buffer: ByteBuffer, at offset: Int) -> RTCPReportBlock? {
        guard let ssrc = buffer.getInteger(at: offset, as: UInt32.self),
              let lossWord = buffer.getInteger(at: offset + 4, as: UInt32.self),
              let highest = buffer.getInteger(at: offset + 8, as: UInt32.self),
              let jitter = buffer.getInteger(at: offset + 12, as: UInt32.self),
              let lsr = buffer.getInteger(at: offset + 16, as: UInt32.self),
              let dlsr = buffer.getInteger(at: offset + 20, as: UInt32.self)
        else { return nil }
        // Sign-extend the 24-bit cumulative loss.
        let cumulative = Int32(bitPattern: lossWord << 8) >> 8
        return RTCPReportBlock(ssrc: ssrc, fractionLost: UInt8(lossWord >> 24), cumulativeLost: cumulative,
                               extendedHighestSequenceNumber: highest, jitter: jitter, lastSenderReport: lsr,
                               delaySinceLastSenderReport: dlsr)
    }

    func write(to buffer: inout ByteBuffer) {
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        buffer.writeInteger(ssrc)
        buffer.writeInteger(UInt32(fractionLost) << 24 | (UInt32(bitPattern: clamped) & 0xFF_FFFF))
        buffer.writeInteger(extendedHighestSequenceNumber)
        buffer.writeInteger(jitter)
        buffer.writeInteger(lastSenderReport)
        buffer.writeInteger(delaySinceLastSenderReport)
    }

    /// Reads `count` blocks starting at `offset`, or nil when they do not fit before `end`.
    static func readBlocks(_ count: Int, from buffer: ByteBuffer, at offset: Int, end: Int) -> [RTCPReportBlock]? {
        guard offset + count * length <= end else { return nil }
        var blocks: [RTCPReportBlock] = []
        blocks.reserveCapacity(count)
        for index in 0..<count {
            guard let block = read(from: buffer, at: offset + index * length) else { return nil }
            blocks.append(block)
        }
        return blocks
    }
}
