import NIOCore

/// One header extension element (RFC 8285 §4): a local id (1–14 one-byte, 1–255 two-byte)
/// negotiated by `a=extmap`, and its value (a slice of the packet).
public struct RTPHeaderExtension: Hashable, Sendable {
    public var id: UInt8
    public var value: ByteBuffer

    public init(id: UInt8, value: ByteBuffer) {
        self.id = id
        self.value = value
    }

    /// `0xBEDE`: the one-byte header form (RFC 8285 §4.2).
    public static let oneByteProfile: UInt16 = 0xBEDE
    /// `0x1000`–`0x100F`: the two-byte header form; the low 4 bits are app bits (RFC 8285 §4.3).
    public static let twoByteProfileMask: UInt16 = 0xFFF0
    public static let twoByteProfile: UInt16 = 0x1000
}
