import NIOCore

/// SR: sender report (RFC 3550 §6.4.1). Maps the sender's RTP clock to NTP wall time: what a
/// layer switch needs to align timestamps (SFU-NOTES §8).
public struct RTCPSenderReport: Hashable, Sendable, RTCPWritable {
    public var ssrc: UInt32
    /// 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low).
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// At most 31 are written (RC is 5 bits).
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
                reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    /// The middle 32 bits of the NTP timestamp: what receivers echo as LSR.
    public var compactNTP: UInt32 { UInt32(truncatingIfNeeded: ntpTimestamp >> 16) }

    static func parse(header: RTCPHeader, body: ByteBuffer) throws(RTPPacketError) -> RTCPSenderReport {
        let at = body.readerIndex
        guard let ssrc = body.getInteger(at: at, as: UInt32.self),
              let ntp = body.getInteger(at: at + 4, as: UInt64.self),
              let rtp = body.getInteger(at: at + 12, as: UInt32.self),
              let packets = body.getInteger(at: at + 16, as: UInt32.self),
              let octets = body.getInteger(at: at + 20, as: UInt32.self),
              let reports = RTCPReportBlock.readBlocks(Int(header.count), from: body, at: at + 24,
                                                       end: at + body.readableBytes)
        else { throw RTPPacketError(.badBody, "SR with RC \(header.count) in \(body.readableBytes) bytes") }
        return RTCPSenderReport(ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp, packetCount: packets,
                                octetCount: octets, reports: reports)
    }

    public func write(to buffer: inout ByteBuffer) {
        let blocks = reports.prefix(31)
        RTCPHeader.write(count: UInt8(blocks.count), type: .senderReport,
                         bodyLength: 24 + blocks.count * RTCPReportBlock.length, to: &buffer)
        buffer.writeInteger(ssrc)
        buffer.writeInteger(ntpTimestamp)
        buffer.writeInteger(rtpTimestamp)
        buffer.writeInteger(packetCount)
        buffer.writeInteger(octetCount)
        for block in blocks {
            block.write(to: &buffer)
        }
    }
}
