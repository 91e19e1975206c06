import NIOCore

/// The fixed 10-byte header in front of every frame:
///
/// ```
/// 0               1               2               3
/// +---------------+---------------+---------------+---------------+
/// |                     Payload length (32)                       |
/// +---------------+---------------+---------------+---------------+
/// |   Type (8)    |   Flags (8)   |R|      Stream ID (31) ...     |
/// +---------------+---------------+---------------+---------------+
/// |  ... Stream ID|
/// +---------------+
/// ```
public struct LinkFrameHeader: Hashable, Sendable {
    /// Size of the header on the wire.
    public static let size = 10

    public var length: UInt32
    public var type: LinkFrameType
    public var flags: LinkFrameFlags
    public var streamID: LinkStreamID

    public init(length: UInt32, type: LinkFrameType, flags: LinkFrameFlags, streamID: LinkStreamID) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }

    /// The header at `index` of `buffer` if 10 bytes are there; the buffer is not moved.
    static func get(at index: Int, from buffer: ByteBuffer) -> LinkFrameHeader? {
        guard let (length, type, flags, stream) = buffer.getMultipleIntegers(
            at: index, as: (UInt32, UInt8, UInt8, UInt32).self
        ) else { return nil }
        return LinkFrameHeader(
            length: length,
            type: LinkFrameType(rawValue: type),
            flags: LinkFrameFlags(rawValue: flags),
            streamID: LinkStreamID(stream & 0x7FFF_FFFF)
        )
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(length, type.rawValue, flags.rawValue, streamID.rawValue)
    }
}

/// A stream identifier. Zero is the connection itself; the peer that opened the
/// TCP connection opens odd-numbered streams, the accepting peer even-numbered ones.
public struct LinkStreamID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let connection = LinkStreamID(0)
    /// Largest stream ID (2^31 - 1).
    public static let maxID = LinkStreamID(0x7FFF_FFFF)

    public var isConnection: Bool { rawValue == 0 }
    /// Whether the peer that initiated the TCP connection owns this stream.
    public var isInitiatorOwned: Bool { rawValue & 1 == 1 }

    public static func < (lhs: LinkStreamID, rhs: LinkStreamID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
