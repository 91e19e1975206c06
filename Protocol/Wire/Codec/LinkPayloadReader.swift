/// Reads the fields of one frame payload from its bytes in place, in one pass.
///
/// Each `ByteBuffer` read checks its storage dynamically (exclusive access to the storage
/// object, bounds, reader index), and a REQUEST took about 25 of them to decode: a third of
/// its encode+decode time (`streamly-load proto`, perf). The per-request frames (REQUEST,
/// RESPONSE, MESSAGE) read their leading field and metadata block here, inside one
/// `withUnsafeReadableBytes`, and cut the block and the body out as slices afterwards.
///
/// Every read checks what is left of the payload and throws `FRAME_SIZE_ERROR` rather than
/// reading past it, like the `ByteBuffer` field readers.
struct LinkPayloadReader {
    private let bytes: UnsafeRawBufferPointer
    /// Bytes read so far.
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, field: StaticString) throws -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw LinkProtocolError(.frameSizeError, "truncated field \(field)") }
        let value = T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    /// A string with a one-byte length prefix (0...255 bytes of UTF-8).
    mutating func string8(field: StaticString) throws -> String {
        try string(length: Int(try integer(UInt8.self, field: field)), field: field)
    }

    /// The next `length` bytes, which must be UTF-8, as a `String` (one copy).
    /// `String(validating:as:)` is generic and not specialized here: it looked its metadata up
    /// at run time for every string (12% of a REQUEST's encode+decode in perf).
    mutating func string(length: Int, field: StaticString) throws -> String {
        let utf8 = try validUTF8(length: length, field: field)
        return String(decoding: utf8.assumingMemoryBound(to: UInt8.self), as: UTF8.self)
    }

    /// Checks that the next `length` bytes are UTF-8 and skips them.
    mutating func skipUTF8(length: Int, field: StaticString) throws {
        _ = try validUTF8(length: length, field: field)
    }

    /// Skips `length` bytes.
    mutating func skip(length: Int, field: StaticString) throws {
        guard bytes.count - offset >= length else { throw LinkProtocolError(.frameSizeError, "truncated field \(field)") }
        offset += length
    }

    /// Whether the bytes in `range` (already read) are all ASCII.
    func isASCII(_ range: Range<Int>) -> Bool {
        isASCIIBytes(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    @inline(__always)
    private mutating func validUTF8(length: Int, field: StaticString) throws -> UnsafeRawBufferPointer {
        guard bytes.count - offset >= length else { throw LinkProtocolError(.frameSizeError, "truncated field \(field)") }
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        guard isValidUTF8(utf8) else { throw LinkProtocolError(.protocolError, "field \(field) is not valid UTF-8") }
        offset += length
        return utf8
    }
}
