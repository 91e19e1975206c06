/// A STUN method: the 12-bit M field of the message type (RFC 8489 §5, §18.2).
///
/// A struct with static members so that methods this module does not know stay representable.
public struct StunMethod: Hashable, Sendable, RawRepresentable {
    public var rawValue: UInt16

    /// Any value; only the low 12 bits can be encoded.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue & 0x0FFF
    }

    /// Binding (RFC 8489 §18.2): the only method ICE uses.
    public static let binding = StunMethod(rawValue: 0x001)
}
