import NIOCore

/// In-place rewriting for forwarding (SFU-NOTES §8): the header fields a consumer changes per
/// subscriber, written into the packet's own bytes. With a uniquely referenced buffer nothing
/// is copied or allocated.
extension RTPPacket {
    /// Sets the sequence number.
    public mutating func setSequenceNumber(_ value: UInt16) {
        buffer.setInteger(value, at: buffer.readerIndex + 2)
    }

    /// Sets the RTP timestamp.
    public mutating func setTimestamp(_ value: UInt32) {
        buffer.setInteger(value, at: buffer.readerIndex + 4)
    }

    /// Sets the SSRC.
    public mutating func setSSRC(_ value: UInt32) {
        buffer.setInteger(value, at: buffer.readerIndex + 8)
    }

    /// Sets the 7-bit payload type, keeping the marker bit.
    public mutating func setPayloadType(_ value: UInt8) {
        buffer.setInteger((byte(1) & 0x80) | (value & 0x7F), at: buffer.readerIndex + 1)
    }

    /// Sets or clears the marker bit.
    public mutating func setMarker(_ value: Bool) {
        buffer.setInteger((byte(1) & 0x7F) | (value ? 0x80 : 0), at: buffer.readerIndex + 1)
    }

    /// Overwrites the value of the extension element `id` with `bytes` of the same length
    /// (e.g. a rewritten MID of equal length, abs-send-time, transport-wide sequence number).
    /// Returns false, changing nothing, when the element is absent or the length differs.
    @discardableResult
    public mutating func rewriteHeaderExtension(id: UInt8, with bytes: some Collection<UInt8>) -> Bool {
        guard let range = headerExtensionValueRange(id: id), range.count == bytes.count else { return false }
        buffer.setBytes(bytes, at: buffer.readerIndex + range.lowerBound)
        return true
    }

    /// Gives the packet's buffer back (after rewriting) to send it.
    public consuming func takeBuffer() -> ByteBuffer {
        buffer
    }

    /// Rewrites sequence number, timestamp and SSRC of the RTP packet in `buffer`'s readable
    /// bytes without parsing it; false (nothing written) when shorter than the fixed header.
    @discardableResult
    public static func rewrite(_ buffer: inout ByteBuffer, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32) -> Bool {
        guard buffer.readableBytes >= fixedHeaderLength else { return false }
        buffer.setInteger(sequenceNumber, at: buffer.readerIndex + 2)
        buffer.setInteger(timestamp, at: buffer.readerIndex + 4)
        buffer.setInteger(ssrc, at: buffer.readerIndex + 8)
        return true
    }
}
