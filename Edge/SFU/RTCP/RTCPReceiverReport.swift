import NIOCore

/// RR: receiver report (RFC 3550 §6.4.2).
public struct RTCPReceiverReport: Hashable, Sendable, RTCPWritable {
    /// The reporter's SSRC (Chromium uses undeclared ones when receive-only: SFU-NOTES §3).
    public var ssrc: UInt32
    /// At most 31 are written (RC is 5 bits).
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    static func parse(header: RTCPHeader, body: ByteBuffer) throws(RTPPacketError) -> RTCPReceiverReport {
        let at = body.readerIndex
        guard let ssrc = body.getInteger(at: at, as: UInt32.self),
              let reports = RTCPReportBlock.readBlocks(Int(header.count), from: body, at: at + 4,
                                                       end: at + body.readableBytes)
        else { throw RTPPacketError(.badBody, "RR with RC \(header.count) in \(body.readableBytes) bytes") }
        return RTCPReceiverReport(ssrc: ssrc, reports: reports)
    }

    public func write(to buffer: inout ByteBuffer) {
        let blocks = reports.prefix(31)
        RTCPHeader.write(count: UInt8(blocks.count), type: .receiverReport,
                         bodyLength: 4 + blocks.count * RTCPReportBlock.length, to: &buffer)
        buffer.writeInteger(ssrc)
        for block in blocks {
            block.write(to: &buffer)
        }
    }
}
