import NIOCore

/// One STUN attribute: type, and value without its padding (RFC 8489 §14).
///
/// The value is a `ByteBuffer` slice of the parsed datagram, so parsing copies no bytes.
/// Typed readers live in `StunMessage+Attributes.swift`.
public struct StunAttribute: Hashable, Sendable {
    public var type: StunAttributeType
    public var value: ByteBuffer

    public init(type: StunAttributeType, value: ByteBuffer) {
        self.type = type
        self.value = value
    }

    /// An attribute whose value is the given bytes.
    public init(type: StunAttributeType, bytes: some Sequence<UInt8>) {
        self.init(type: type, value: ByteBuffer(bytes: bytes))
    }

    /// Bytes the attribute occupies on the wire: 4 header bytes, value, padding to 4.
    public var encodedLength: Int {
        4 + StunAttribute.padded(value.readableBytes)
    }

    /// `length` rounded up to a multiple of 4 (RFC 8489 §14: values are padded to 32 bits).
    static func padded(_ length: Int) -> Int {
        (length + 3) & ~3
    }
}
