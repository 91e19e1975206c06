import NIOCore

/// Writing a STUN message (RFC 8489 §5, §14), optionally signed and fingerprinted.
extension StunMessage {
    /// The message on the wire: header, `attributes` padded with zeros to 32 bits, then
    /// MESSAGE-INTEGRITY keyed with `integrityKey` if given (RFC 8489 §14.5), then FINGERPRINT
    /// if `fingerprint` (RFC 8489 §14.7). Attributes of type MESSAGE-INTEGRITY or FINGERPRINT
    /// in `attributes` are skipped: those two are always computed here.
    public func serialize(integrityKey: [UInt8]? = nil, fingerprint: Bool = false) -> ByteBuffer {
        var buffer = ByteBuffer()
        serialize(into: &buffer, integrityKey: integrityKey, fingerprint: fingerprint)
        return buffer
    }

    /// As `serialize(integrityKey:fingerprint:)`, appending to `buffer` (reused between
    /// messages by the caller).
    public func serialize(into buffer: inout ByteBuffer, integrityKey: [UInt8]? = nil, fingerprint: Bool = false) {
        let start = buffer.writerIndex
        buffer.writeInteger(type.encoded)
        buffer.writeInteger(UInt16(0))  // length, set below
        buffer.writeInteger(Self.magicCookie)
        transactionID.write(to: &buffer)
        for attribute in attributes where attribute.type != .messageIntegrity && attribute.type != .fingerprint {
            buffer.writeInteger(attribute.type.rawValue)
            buffer.writeInteger(UInt16(truncatingIfNeeded: attribute.value.readableBytes))
            var value = attribute.value
            buffer.writeBuffer(&value)
            buffer.writeRepeatingByte(0, count: StunAttribute.padded(attribute.value.readableBytes) - attribute.value.readableBytes)
        }
        if let integrityKey {
            let covered = buffer.getBytes(at: start, length: buffer.writerIndex - start) ?? []
            let hmac = Self.hmac(over: covered, key: integrityKey)
            buffer.writeInteger(StunAttributeType.messageIntegrity.rawValue)
            buffer.writeInteger(UInt16(20))
            buffer.writeBytes(hmac)
        }
        if fingerprint {
            // The length must count FINGERPRINT before the CRC is taken (RFC 8489 §14.7).
            setLength(in: &buffer, start: start, through: buffer.writerIndex + 8)
            let covered = buffer.getBytes(at: start, length: buffer.writerIndex - start) ?? []
            buffer.writeInteger(StunAttributeType.fingerprint.rawValue)
            buffer.writeInteger(UInt16(4))
            buffer.writeInteger(CRC32.checksum(covered) ^ Self.fingerprintXor)
        }
        setLength(in: &buffer, start: start, through: buffer.writerIndex)
    }

    private func setLength(in buffer: inout ByteBuffer, start: Int, through end: Int) {
        buffer.setInteger(UInt16(truncatingIfNeeded: end - start - Self.headerLength), at: start + 2)
    }
}
