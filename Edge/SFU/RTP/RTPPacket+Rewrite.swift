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

extension RTPPacket {
    /// Copies this packet into `out` (cleared first) with its extension ids renamed through
    /// `map` and, when `transportSequenceID` is not 0, a transport-wide sequence number element
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2) appended to its header extension
    /// (one is created, one-byte form, when the packet has none; an extension in a profile other
    /// than RFC 8285's is replaced). Elements keep their offsets, so value offsets read from this
    /// packet stay valid in the copy. Returns the copy's header length (the payload's offset).
    @discardableResult
    public func copy(into out: inout ByteBuffer, remapping map: ExtensionIDMap, transportSequenceID: UInt8,
                     transportSequence: UInt16) -> Int {
        out.clear()
        guard transportSequenceID != 0 else {
            out.writeImmutableBuffer(buffer)
            writeRemappedExtensionIDs(map, into: &out)
            return headerLength
        }
        let start = buffer.readerIndex
        let fixed = Self.fixedHeaderLength + 4 * csrcCount
        if let header = buffer.getSlice(at: start, length: fixed) { out.writeImmutableBuffer(header) }
        out.setInteger(byte(0) | 0x10, at: out.readerIndex)
        let twoByte = extensionProfile.map { $0 & RTPHeaderExtension.twoByteProfileMask == RTPHeaderExtension.twoByteProfile } ?? false
        let known = extensionProfile == RTPHeaderExtension.oneByteProfile || twoByte
        out.writeInteger(twoByte ? extensionProfile! : RTPHeaderExtension.oneByteProfile)
        let lengthIndex = out.writerIndex
        out.writeInteger(UInt16(0))
        var used = extensionRange.lowerBound
        if known {
            var iterator = headerExtensions.makeIterator()
            while let element = iterator.nextElement() { used = element.valueOffset + element.length }
            if used > extensionRange.lowerBound,
               let elements = buffer.getSlice(at: start + extensionRange.lowerBound, length: used - extensionRange.lowerBound) {
                out.writeImmutableBuffer(elements)
            }
            writeRemappedExtensionIDs(map, into: &out)
        }
        if twoByte {
            out.writeInteger(transportSequenceID)
            out.writeInteger(UInt8(2))
        } else {
            out.writeInteger(transportSequenceID << 4 | 1)
        }
        out.writeInteger(transportSequence)
        let elementsLength = out.writerIndex - lengthIndex - 2
        let words = (elementsLength + 3) / 4
        out.writeRepeatingByte(0, count: words * 4 - elementsLength)
        out.setInteger(UInt16(words), at: lengthIndex)
        let newHeaderLength = out.writerIndex - out.readerIndex
        if let rest = buffer.getSlice(at: start + headerLength, length: buffer.readableBytes - headerLength) {
            out.writeImmutableBuffer(rest)
        }
        return newHeaderLength
    }
}
