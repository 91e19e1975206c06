import Crypto
import NIOCore

/// MESSAGE-INTEGRITY (RFC 8489 §14.5) and FINGERPRINT (RFC 8489 §14.7) checks on a parsed
/// message, against the bytes it was parsed from.
extension StunMessage {
    /// `0x5354554E` ("STUN"), xored into the CRC-32 of FINGERPRINT (RFC 8489 §14.7).
    public static let fingerprintXor: UInt32 = 0x5354_554E

    /// True when the message carries MESSAGE-INTEGRITY and its HMAC-SHA1, keyed with `key`
    /// (for ICE: the receiver's `ice-pwd` as UTF-8, RFC 8445 §7.2.2), matches: computed over
    /// the message up to the attribute, with the header length counting up to the end of
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5). False when absent.
    public func verifyIntegrity(key: [UInt8]) -> Bool {
        guard let integrity else { return false }
        guard let covered = integrity.message.getBytes(at: integrity.message.readerIndex, length: integrity.offset)
        else { return false }
        let expected = Self.hmac(over: covered, key: key)
        // Constant-time comparison: the HMAC must not leak through timing.
        guard expected.count == integrity.hmac.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, integrity.hmac) {
            difference |= a ^ b
        }
        return difference == 0
    }

    /// True when the message carries FINGERPRINT and it equals the CRC-32 of everything before
    /// it xor `0x5354554E` (RFC 8489 §14.7). False when absent.
    public func verifyFingerprint() -> Bool {
        guard let fingerprint,
              let covered = fingerprint.message.getBytes(at: fingerprint.message.readerIndex, length: fingerprint.offset)
        else { return false }
        return CRC32.checksum(covered) ^ Self.fingerprintXor == fingerprint.value
    }

    /// HMAC-SHA1 over `covered` (the message up to where MESSAGE-INTEGRITY starts), with the
    /// header's length field replaced by the length up to the end of MESSAGE-INTEGRITY.
    static func hmac(over covered: [UInt8], key: [UInt8]) -> [UInt8] {
        var bytes = covered
        let adjustedLength = UInt16(truncatingIfNeeded: covered.count - headerLength + 24)
        if bytes.count >= 4 {
            bytes[2] = UInt8(adjustedLength >> 8)
            bytes[3] = UInt8(truncatingIfNeeded: adjustedLength)
        }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: bytes, using: SymmetricKey(data: key))
        return Array(code)
    }
}
