import NIOCore

/// Writes one frame whose size is known up front (REQUEST, RESPONSE, MESSAGE: header,
/// names, metadata, body) with a single capacity check and plain stores, instead of a
/// checked `ByteBuffer` write (capacity, uniqueness, exclusivity) per field.
struct LinkFrameWriter {
    private let base: UnsafeMutableRawPointer
    private(set) var offset = 0

    private init(base: UnsafeMutableRawPointer) {
        self.base = base
    }

    /// Appends the frame `header` (its `length` is the payload size) and the payload
    /// `fill` writes, which must be exactly `header.length` bytes.
    static func write(_ header: LinkFrameHeader, into buffer: inout ByteBuffer, _ fill: (inout LinkFrameWriter) -> Void) {
        let size = LinkFrameHeader.size + Int(header.length)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = LinkFrameWriter(base: raw.baseAddress!)
            writer.integer(header.length)
            writer.integer(header.type.rawValue)
            writer.integer(header.flags.rawValue)
            writer.integer(header.streamID.rawValue)
            fill(&writer)
            precondition(writer.offset == size, "frame payload is \(writer.offset - LinkFrameHeader.size) bytes, header says \(header.length)")
            return size
        }
    }

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (base + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }

    mutating func buffer(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes($0) }
    }

    /// A string with a one-byte length prefix (see `ByteBuffer.writeString8`).
    mutating func string8(_ string: String) {
        prefixed(string, length: UInt8.self)
    }

    /// A string with a two-byte length prefix (see `ByteBuffer.writeString16`).
    mutating func string16(_ string: String) {
        prefixed(string, length: UInt16.self)
    }

    /// Borrows the string's UTF-8 where it lies (no copy of the string, so no retain and release):
    /// native strings always offer contiguous UTF-8; others are copied byte by byte.
    private mutating func prefixed<Length: FixedWidthInteger>(_ string: String, length: Length.Type) {
        let utf8 = string.utf8
        precondition(utf8.count <= Length.max, "string longer than its \(Length.bitWidth)-bit length prefix allows")
        integer(Length(utf8.count))
        let copied: Void? = utf8.withContiguousStorageIfAvailable { bytes(UnsafeRawBufferPointer($0)) }
        if copied == nil {
            for byte in utf8 { integer(byte) }
        }
    }
}
