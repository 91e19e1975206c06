import NIOCore

/// FIR (RFC 5104 §4.3.1): PSFB (PT 206) with FMT 4. The media SSRC field is 0; each FCI entry
/// names a stream and a command sequence number the requester increments per new request.
public struct RTCPFullIntraRequest: Hashable, Sendable, RTCPWritable {
    /// FMT value of a FIR.
    public static let format: UInt8 = 4

    /// One FCI entry: the stream to refresh and the request's sequence number.
    public struct Entry: Hashable, Sendable {
        public var ssrc: UInt32
        public var sequenceNumber: UInt8

        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public var senderSSRC: UInt32
    public var entries: [Entry]

    public init(senderSSRC: UInt32, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.entries = entries
    }

    static func parse(body: ByteBuffer) throws(RTPPacketError) -> RTCPFullIntraRequest {
        let at = body.readerIndex
        guard let sender = body.getInteger(at: at, as: UInt32.self), body.readableBytes >= 16 else {
            throw RTPPacketError(.badBody, "FIR needs SSRCs and one 8-byte FCI entry")
        }
        let entries = (0..<(body.readableBytes - 8) / 8).compactMap { index -> Entry? in
            guard let ssrc = body.getInteger(at: at + 8 + 8 * index, as: UInt32.self),
                  let sequence = body.getInteger(at: at + 12 + 8 * index, as: UInt8.self)
            else { return nil }
            return Entry(ssrc: ssrc, sequenceNumber: sequence)
        }
        return RTCPFullIntraRequest(senderSSRC: sender, entries: entries)
    }

    public func write(to buffer: inout ByteBuffer) {
        let written = entries.prefix(8_190)
        RTCPHeader.write(count: Self.format, type: .payloadFeedback, bodyLength: 8 + 8 * written.count, to: &buffer)
        buffer.writeInteger(senderSSRC)
        buffer.writeInteger(UInt32(0))  // media SSRC: unused (RFC 5104 §4.3.1.2)
        for entry in written {
            buffer.writeInteger(entry.ssrc)
            buffer.writeInteger(UInt32(entry.sequenceNumber) << 24)
        }
    }
}
