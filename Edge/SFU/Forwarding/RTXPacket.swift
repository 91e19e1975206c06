import NIOCore

/// RTP retransmission payload format (RFC 4588 §4): the RTX packet has its own SSRC, payload
/// type and sequence number; its payload is the original sequence number (OSN, 2 bytes)
/// followed by the original payload; timestamp and marker are the original's.
public enum RTXPacket {
    /// Writes into `out` (cleared first) the RTX form of `original`.
    public static func wrap(_ original: RTPPacket, ssrc: UInt32, payloadType: UInt8, sequenceNumber: UInt16,
                            into out: inout ByteBuffer) {
        out.clear()
        let source = original.buffer
        let start = source.readerIndex
        // Header without padding (the padding bit is cleared, the RTX payload carries none).
        if let header = source.getSlice(at: start, length: original.headerLength) {
            out.writeImmutableBuffer(header)
        }
        let first = (source.getInteger(at: start, as: UInt8.self) ?? 0x80) & ~0x20
        out.setInteger(first, at: out.readerIndex)
        out.setInteger((original.marker ? 0x80 : 0) | (payloadType & 0x7F), at: out.readerIndex + 1)
        out.setInteger(sequenceNumber, at: out.readerIndex + 2)
        out.setInteger(ssrc, at: out.readerIndex + 8)
        out.writeInteger(original.sequenceNumber)
        out.writeImmutableBuffer(original.payload)
    }

    /// Restores the original packet from an RTX packet into `out` (cleared first): its OSN,
    /// `mediaSSRC` and `mediaPayloadType`; false when the RTX payload has no OSN (Chromium's
    /// empty padding probes).
    public static func unwrap(_ rtx: RTPPacket, mediaSSRC: UInt32, mediaPayloadType: UInt8,
                              into out: inout ByteBuffer) -> Bool {
        var payload = rtx.payload
        guard let osn = payload.readInteger(as: UInt16.self) else { return false }
        out.clear()
        let source = rtx.buffer
        let start = source.readerIndex
        if let header = source.getSlice(at: start, length: rtx.headerLength) {
            out.writeImmutableBuffer(header)
        }
        let first = (source.getInteger(at: start, as: UInt8.self) ?? 0x80) & ~0x20
        out.setInteger(first, at: out.readerIndex)
        out.setInteger((rtx.marker ? 0x80 : 0) | (mediaPayloadType & 0x7F), at: out.readerIndex + 1)
        out.setInteger(osn, at: out.readerIndex + 2)
        out.setInteger(mediaSSRC, at: out.readerIndex + 8)
        out.writeImmutableBuffer(payload)
        return true
    }
}
