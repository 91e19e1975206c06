import NIOCore

/// Typed readers and builders of the attributes ICE uses. Readers return nil when the
/// attribute is absent or its value is malformed: they never trap.
extension StunMessage {
    /// USERNAME (RFC 8489 §14.3) as UTF-8; nil when absent or not UTF-8.
    public var username: String? {
        guard let value = attribute(.username)?.value else { return nil }
        return String(validating: value.readableBytesView, as: UTF8.self)
    }

    /// The two halves of an ICE USERNAME, `<receiver ufrag>:<sender ufrag>` (RFC 8445 §7.2.2):
    /// on a port shared by many peer connections the receiver's half picks the connection
    /// (SFU-NOTES §4). Nil without USERNAME or without a `:`.
    public var iceUsernameFragments: (receiver: Substring, sender: Substring)? {
        guard let username, let colon = username.firstIndex(of: ":") else { return nil }
        return (username[..<colon], username[username.index(after: colon)...])
    }

    /// PRIORITY (RFC 8445 §7.1.1).
    public var priority: UInt32? {
        guard let value = attribute(.priority)?.value, value.readableBytes == 4 else { return nil }
        return value.getInteger(at: value.readerIndex, as: UInt32.self)
    }

    /// True when USE-CANDIDATE is present (RFC 8445 §7.1.2).
    public var useCandidate: Bool {
        attribute(.useCandidate) != nil
    }

    /// ICE-CONTROLLING tie-breaker (RFC 8445 §7.1.3).
    public var iceControlling: UInt64? {
        tieBreaker(.iceControlling)
    }

    /// ICE-CONTROLLED tie-breaker (RFC 8445 §7.1.3).
    public var iceControlled: UInt64? {
        tieBreaker(.iceControlled)
    }

    private func tieBreaker(_ type: StunAttributeType) -> UInt64? {
        guard let value = attribute(type)?.value, value.readableBytes == 8 else { return nil }
        return value.getInteger(at: value.readerIndex, as: UInt64.self)
    }

    /// ERROR-CODE (RFC 8489 §14.8): class 3–6, number 0–99, UTF-8 reason.
    public var errorCode: StunErrorCode? {
        guard let value = attribute(.errorCode)?.value, value.readableBytes >= 4,
              let classByte = value.getInteger(at: value.readerIndex + 2, as: UInt8.self),
              let number = value.getInteger(at: value.readerIndex + 3, as: UInt8.self)
        else { return nil }
        let errorClass = classByte & 0x07
        guard (3...6).contains(errorClass), number < 100,
              let reasonBytes = value.getSlice(at: value.readerIndex + 4, length: value.readableBytes - 4),
              let reason = String(validating: reasonBytes.readableBytesView, as: UTF8.self)
        else { return nil }
        return StunErrorCode(code: UInt16(errorClass) * 100 + UInt16(number), reason: reason)
    }

    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2), un-xored with the magic cookie and transaction id.
    public var xorMappedAddress: TransportAddress? {
        guard let value = attribute(.xorMappedAddress)?.value else { return nil }
        return Self.decodeXorAddress(value, transactionID: transactionID)
    }

    /// Decodes an XOR-MAPPED-ADDRESS value; nil when malformed.
    static func decodeXorAddress(_ value: ByteBuffer, transactionID: StunTransactionID) -> TransportAddress? {
        let at = value.readerIndex
        guard let family = value.getInteger(at: at + 1, as: UInt8.self),
              let xPort = value.getInteger(at: at + 2, as: UInt16.self)
        else { return nil }
        let port = xPort ^ UInt16(truncatingIfNeeded: magicCookie >> 16)
        switch family {
        case 0x01 where value.readableBytes == 8:
            guard let x = value.getInteger(at: at + 4, as: UInt32.self) else { return nil }
            return TransportAddress(ip: .v4(x ^ magicCookie), port: port)
        case 0x02 where value.readableBytes == 20:
            guard let xHigh = value.getInteger(at: at + 4, as: UInt64.self),
                  let xLow = value.getInteger(at: at + 12, as: UInt64.self)
            else { return nil }
            let maskHigh = UInt64(magicCookie) << 32 | UInt64(transactionID.high)
            return TransportAddress(ip: .v6(high: xHigh ^ maskHigh, low: xLow ^ transactionID.low), port: port)
        default:
            return nil
        }
    }
}
