/// The 14-bit STUN message type: a method and a class whose bits are interleaved
/// (RFC 8489 §5, figure 3: `M11..M7 C1 M6..M4 C0 M3..M0`).
public struct StunMessageType: Hashable, Sendable {
    public var method: StunMethod
    public var messageClass: StunClass

    public init(method: StunMethod, messageClass: StunClass) {
        self.method = method
        self.messageClass = messageClass
    }

    /// Decodes the type field; the two most significant bits must already be known to be zero.
    public init(encoded value: UInt16) {
        let method = (value & 0x000F) | ((value >> 1) & 0x0070) | ((value >> 2) & 0x0F80)
        let messageClass = ((value >> 4) & 0x1) | ((value >> 7) & 0x2)
        self.init(method: StunMethod(rawValue: method), messageClass: StunClass(rawValue: UInt8(messageClass)))
    }

    /// The type field as written on the wire.
    public var encoded: UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | ((c & 0x1) << 4) | ((m & 0x0070) << 1) | ((c & 0x2) << 7) | ((m & 0x0F80) << 2)
    }

    /// Binding request (`0x0001`).
    public static let bindingRequest = StunMessageType(method: .binding, messageClass: .request)
    /// Binding success response (`0x0101`).
    public static let bindingSuccess = StunMessageType(method: .binding, messageClass: .successResponse)
    /// Binding error response (`0x0111`).
    public static let bindingError = StunMessageType(method: .binding, messageClass: .errorResponse)
    /// Binding indication (`0x0011`), sent as keepalive by some agents (RFC 8445 §11).
    public static let bindingIndication = StunMessageType(method: .binding, messageClass: .indication)
}
