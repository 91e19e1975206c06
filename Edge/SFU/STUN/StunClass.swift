/// The class of a STUN message: the C1C0 bits of the message type (RFC 8489 §5).
public struct StunClass: Hashable, Sendable, RawRepresentable {
    public var rawValue: UInt8

    /// Any value; only the low 2 bits can be encoded.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0b11
    }

    public static let request = StunClass(rawValue: 0b00)
    public static let indication = StunClass(rawValue: 0b01)
    public static let successResponse = StunClass(rawValue: 0b10)
    public static let errorResponse = StunClass(rawValue: 0b11)
}
