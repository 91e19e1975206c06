import NIOCore

/// Building the attributes ICE uses (RFC 8489 §14, RFC 8445 §7.1).
extension StunAttribute {
    /// USERNAME with the given UTF-8 value.
    public static func username(_ name: String) -> StunAttribute {
        StunAttribute(type: .username, bytes: Array(name.utf8))
    }

    /// PRIORITY.
    public static func priority(_ value: UInt32) -> StunAttribute {
        var buffer = ByteBuffer()
        buffer.writeInteger(value)
        return StunAttribute(type: .priority, value: buffer)
    }

    /// USE-CANDIDATE (empty value).
    public static let useCandidate = StunAttribute(type: .useCandidate, value: ByteBuffer())

    /// ICE-CONTROLLING with a tie-breaker.
    public static func iceControlling(_ tieBreaker: UInt64) -> StunAttribute {
        var buffer = ByteBuffer()
        buffer.writeInteger(tieBreaker)
        return StunAttribute(type: .iceControlling, value: buffer)
    }

    /// ICE-CONTROLLED with a tie-breaker.
    public static func iceControlled(_ tieBreaker: UInt64) -> StunAttribute {
        var buffer = ByteBuffer()
        buffer.writeInteger(tieBreaker)
        return StunAttribute(type: .iceControlled, value: buffer)
    }

    /// ERROR-CODE (RFC 8489 §14.8); codes outside 300–699 are clamped to 500.
    public static func errorCode(_ error: StunErrorCode) -> StunAttribute {
        let code = (300...699).contains(error.code) ? error.code : 500
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(UInt8(code / 100))
        buffer.writeInteger(UInt8(code % 100))
        buffer.writeString(String(error.reason.utf8.prefix(763)) ?? "")
        return StunAttribute(type: .errorCode, value: buffer)
    }

    /// XOR-MAPPED-ADDRESS for `address`, xored for `transactionID` (RFC 8489 §14.2).
    public static func xorMappedAddress(_ address: TransportAddress, transactionID: StunTransactionID) -> StunAttribute {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt8(address.ip.isV6 ? 0x02 : 0x01))
        buffer.writeInteger(address.port ^ UInt16(truncatingIfNeeded: StunMessage.magicCookie >> 16))
        switch address.ip {
        case .v4(let ip):
            buffer.writeInteger(ip ^ StunMessage.magicCookie)
        case .v6(let high, let low):
            buffer.writeInteger(high ^ (UInt64(StunMessage.magicCookie) << 32 | UInt64(transactionID.high)))
            buffer.writeInteger(low ^ transactionID.low)
        }
        return StunAttribute(type: .xorMappedAddress, value: buffer)
    }
}
