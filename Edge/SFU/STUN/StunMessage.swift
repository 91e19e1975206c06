import NIOCore

/// A STUN message (RFC 8489 §5): type, transaction id and attributes.
///
/// `parse` is total: any input gives a message or a `StunParseError`, never a trap. A parsed
/// message keeps the datagram it came from so that MESSAGE-INTEGRITY and FINGERPRINT can be
/// checked against the exact bytes (`StunMessage+Integrity.swift`). MESSAGE-INTEGRITY and
/// FINGERPRINT are not in `attributes`; `serialize` computes them
/// (`StunMessage+Serialization.swift`).
public struct StunMessage: Hashable, Sendable {
    /// `0x2112A442`, bytes 4–7 of every RFC 5389/8489 message (RFC 8489 §5).
    public static let magicCookie: UInt32 = 0x2112_A442
    /// Size of the fixed header (RFC 8489 §5).
    public static let headerLength = 20

    public var type: StunMessageType
    public var transactionID: StunTransactionID
    /// Attributes in wire order, without MESSAGE-INTEGRITY and FINGERPRINT. Attributes that
    /// followed MESSAGE-INTEGRITY (other than FINGERPRINT) are dropped, as RFC 8489 §14.5 says.
    public var attributes: [StunAttribute]

    /// Where the received MESSAGE-INTEGRITY sits; nil for built or unsigned messages.
    public internal(set) var integrity: ReceivedIntegrity?
    /// Where the received FINGERPRINT sits; nil for built or unfingerprinted messages.
    public internal(set) var fingerprint: ReceivedFingerprint?

    /// A MESSAGE-INTEGRITY attribute as received: its offset from the start of the message
    /// and its 20-byte HMAC; `message` is the whole datagram it was parsed from.
    public struct ReceivedIntegrity: Hashable, Sendable {
        public var offset: Int
        public var hmac: [UInt8]
        var message: ByteBuffer
    }

    /// A FINGERPRINT attribute as received: offset and value; `message` as above.
    public struct ReceivedFingerprint: Hashable, Sendable {
        public var offset: Int
        public var value: UInt32
        var message: ByteBuffer
    }

    public init(type: StunMessageType, transactionID: StunTransactionID, attributes: [StunAttribute] = []) {
        self.type = type
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// The cheap demultiplexing test of RFC 7983 §7: a first byte of 0–3 is STUN (20–63 DTLS,
    /// 128–191 RTP/RTCP). Use before `parse` on a port shared with DTLS and SRTP.
    public static func isSTUN(_ datagram: ByteBuffer) -> Bool {
        guard let first = datagram.getInteger(at: datagram.readerIndex, as: UInt8.self) else { return false }
        return first <= 3
    }

    /// Parses exactly one message from the readable bytes of `datagram` (a UDP payload, or one
    /// RFC 4571 frame over TCP). Does not check MESSAGE-INTEGRITY or FINGERPRINT: see
    /// `verifyIntegrity(key:)` and `verifyFingerprint()`.
    public static func parse(_ datagram: ByteBuffer) throws(StunParseError) -> StunMessage {
        let start = datagram.readerIndex
        let total = datagram.readableBytes
        guard total >= headerLength,
              let rawType = datagram.getInteger(at: start, as: UInt16.self),
              let length = datagram.getInteger(at: start + 2, as: UInt16.self),
              let cookie = datagram.getInteger(at: start + 4, as: UInt32.self),
              let high = datagram.getInteger(at: start + 8, as: UInt32.self),
              let low = datagram.getInteger(at: start + 12, as: UInt64.self)
        else { throw StunParseError(.truncated, "\(total) bytes, a header needs \(headerLength)") }
        guard rawType & 0xC000 == 0 else { throw StunParseError(.notStun, "type 0x\(String(rawType, radix: 16))") }
        guard cookie == magicCookie else { throw StunParseError(.badMagicCookie, "cookie 0x\(String(cookie, radix: 16))") }
        guard length % 4 == 0 else { throw StunParseError(.badLength, "length \(length) is not a multiple of 4") }
        let end = headerLength + Int(length)
        guard end <= total else { throw StunParseError(.truncated, "length says \(end) bytes, \(total) present") }
        guard end == total else { throw StunParseError(.trailingBytes, "\(total - end) bytes after the message") }

        // The slice that verification hashes: exactly the message.
        let message = datagram.getSlice(at: start, length: end) ?? datagram
        var result = StunMessage(type: StunMessageType(encoded: rawType),
                                 transactionID: StunTransactionID(high: high, low: low))
        var offset = headerLength
        while offset < end {
            guard offset + 4 <= end,
                  let attributeType = message.getInteger(at: offset, as: UInt16.self),
                  let attributeLength = message.getInteger(at: offset + 2, as: UInt16.self)
            else { throw StunParseError(.truncatedAttribute, "attribute header at \(offset)") }
            let valueOffset = offset + 4
            let padded = StunAttribute.padded(Int(attributeLength))
            guard valueOffset + padded <= end,
                  let value = message.getSlice(at: valueOffset, length: Int(attributeLength))
            else { throw StunParseError(.truncatedAttribute, "attribute 0x\(String(attributeType, radix: 16)) at \(offset)") }
            let type = StunAttributeType(rawValue: attributeType)

            if result.fingerprint != nil {
                throw StunParseError(.attributeAfterFingerprint, "attribute 0x\(String(attributeType, radix: 16)) at \(offset)")
            }
            switch type {
            case .messageIntegrity where result.integrity == nil:
                guard attributeLength == 20 else {
                    throw StunParseError(.badAttributeLength, "MESSAGE-INTEGRITY of \(attributeLength) bytes")
                }
                result.integrity = ReceivedIntegrity(offset: offset, hmac: Array(value.readableBytesView), message: message)
            case .fingerprint:
                guard attributeLength == 4, let crc = value.getInteger(at: value.readerIndex, as: UInt32.self) else {
                    throw StunParseError(.badAttributeLength, "FINGERPRINT of \(attributeLength) bytes")
                }
                result.fingerprint = ReceivedFingerprint(offset: offset, value: crc, message: message)
            default:
                // RFC 8489 §14.5: ignore everything after MESSAGE-INTEGRITY except FINGERPRINT.
                if result.integrity == nil {
                    result.attributes.append(StunAttribute(type: type, value: value))
                }
            }
            offset = valueOffset + padded
        }
        return result
    }

    /// The first attribute of the given type.
    public func attribute(_ type: StunAttributeType) -> StunAttribute? {
        attributes.first { $0.type == type }
    }

    /// Comprehension-required attribute types present that this module does not interpret
    /// (RFC 8489 §7.3.1: a request with any gets 420 with UNKNOWN-ATTRIBUTES).
    public var unknownComprehensionRequiredTypes: [StunAttributeType] {
        let known: Set<StunAttributeType> = [.mappedAddress, .username, .errorCode, .unknownAttributes,
                                             .realm, .nonce, .messageIntegritySHA256, .xorMappedAddress,
                                             .priority, .useCandidate]
        return attributes.map(\.type).filter { $0.isComprehensionRequired && !known.contains($0) }
    }
}
