/// A STUN attribute type (RFC 8489 §14, §18.3; ICE attributes RFC 8445 §16.1).
///
/// Unknown values stay representable. Types below `0x8000` are comprehension-required: an
/// agent that does not understand one must reject the request (RFC 8489 §14); types from
/// `0x8000` up are comprehension-optional and may be ignored (Chromium's GOOG-NETWORK-INFO
/// `0xC057` is one).
public struct StunAttributeType: Hashable, Sendable, RawRepresentable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// True for types `0x0000`–`0x7FFF` (RFC 8489 §14).
    public var isComprehensionRequired: Bool { rawValue < 0x8000 }

    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    public static let mappedAddress = StunAttributeType(rawValue: 0x0001)
    /// USERNAME (RFC 8489 §14.3): `remoteUfrag:localUfrag` as written by the sender in ICE.
    public static let username = StunAttributeType(rawValue: 0x0006)
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1, 20 bytes.
    public static let messageIntegrity = StunAttributeType(rawValue: 0x0008)
    /// ERROR-CODE (RFC 8489 §14.8).
    public static let errorCode = StunAttributeType(rawValue: 0x0009)
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.9).
    public static let unknownAttributes = StunAttributeType(rawValue: 0x000A)
    /// REALM (RFC 8489 §14.9).
    public static let realm = StunAttributeType(rawValue: 0x0014)
    /// NONCE (RFC 8489 §14.10).
    public static let nonce = StunAttributeType(rawValue: 0x0015)
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6): not produced or checked here.
    public static let messageIntegritySHA256 = StunAttributeType(rawValue: 0x001C)
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    public static let xorMappedAddress = StunAttributeType(rawValue: 0x0020)
    /// PRIORITY (RFC 8445 §7.1.1).
    public static let priority = StunAttributeType(rawValue: 0x0024)
    /// USE-CANDIDATE (RFC 8445 §7.1.2): no value.
    public static let useCandidate = StunAttributeType(rawValue: 0x0025)
    /// SOFTWARE (RFC 8489 §14.14).
    public static let software = StunAttributeType(rawValue: 0x8022)
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    public static let alternateServer = StunAttributeType(rawValue: 0x8023)
    /// FINGERPRINT (RFC 8489 §14.7): CRC-32 xor `0x5354554E`, always last.
    public static let fingerprint = StunAttributeType(rawValue: 0x8028)
    /// ICE-CONTROLLED (RFC 8445 §7.1.3): 64-bit tie-breaker.
    public static let iceControlled = StunAttributeType(rawValue: 0x8029)
    /// ICE-CONTROLLING (RFC 8445 §7.1.3): 64-bit tie-breaker.
    public static let iceControlling = StunAttributeType(rawValue: 0x802A)
}
