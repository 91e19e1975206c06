import NIOCore

/// Field codecs shared by the frame payloads. Every read checks the remaining
/// payload first and throws `FRAME_SIZE_ERROR` instead of trapping, so a payload
/// cannot make the decoder read past its own end.
extension ByteBuffer {
    mutating func readLinkInteger<T: FixedWidthInteger>(_: T.Type = T.self, field: StaticString) throws -> T {
        guard let value = readInteger(as: T.self) else {
            throw LinkProtocolError(.frameSizeError, "truncated field \(field)")
        }
        return value
    }

    /// A string with a one-byte length prefix (0...255 bytes of UTF-8).
    mutating func readString8(field: StaticString) throws -> String {
        let length = Int(try readLinkInteger(UInt8.self, field: field))
        return try readLinkString(length: length, field: field)
    }

    /// A string with a two-byte length prefix, at most `limit` bytes.
    mutating func readString16(field: StaticString, limit: Int) throws -> String {
        let length = Int(try readLinkInteger(UInt16.self, field: field))
        guard length <= limit else {
            throw LinkProtocolError(.frameSizeError, "field \(field) is \(length) bytes, limit \(limit)")
        }
        return try readLinkString(length: length, field: field)
    }

    /// Reads the payload of a per-request frame (REQUEST, RESPONSE, MESSAGE): its leading
    /// field(s) (`lead`), a metadata block, then the body, which is the rest. The fields are
    /// read in one pass over the bytes (`LinkPayloadReader`); the block and the body come out
    /// as slices of this buffer. Consumes the whole payload.
    mutating func readLeadMetadataBody<Lead>(
        _ lead: (inout LinkPayloadReader) throws -> Lead
    ) throws -> (lead: Lead, metadata: LinkMetadata, body: ByteBuffer) {
        let (value, block, bodyStart) = try withUnsafeReadableBytes { raw in
            var reader = LinkPayloadReader(raw)
            let value = try lead(&reader)
            let block = try LinkMetadata.checkBlock(in: &reader)
            return (value, block, reader.offset)
        }
        let base = readerIndex
        let pairs = getSlice(at: base + block.pairs.lowerBound, length: block.pairs.count)!
        let body = getSlice(at: base + bodyStart, length: readableBytes - bodyStart)!
        moveReaderIndex(to: writerIndex)
        return (value, LinkMetadata(checked: pairs, count: block.count), body)
    }

    mutating func readLinkBytes(length: Int, field: StaticString) throws -> [UInt8] {
        guard let bytes = readBytes(length: length) else {
            throw LinkProtocolError(.frameSizeError, "truncated field \(field)")
        }
        return bytes
    }

    /// Validates the UTF-8 in place and makes the `String` with one copy (`LinkPayloadReader.string`).
    private mutating func readLinkString(length: Int, field: StaticString) throws -> String {
        let string = try withUnsafeReadableBytes { raw in
            var reader = LinkPayloadReader(raw)
            return try reader.string(length: length, field: field)
        }
        moveReaderIndex(forwardBy: length)
        return string
    }

    @discardableResult
    mutating func writeString8(_ string: String) -> Int {
        let utf8 = string.utf8
        precondition(utf8.count <= UInt8.max, "string8 longer than 255 bytes")
        return writeInteger(UInt8(utf8.count)) + writeString(string)
    }

    @discardableResult
    mutating func writeString16(_ string: String) -> Int {
        let utf8 = string.utf8
        precondition(utf8.count <= UInt16.max, "string16 longer than 65535 bytes")
        return writeInteger(UInt16(utf8.count)) + writeString(string)
    }

    /// Fails with `PROTOCOL_ERROR` if a fixed-layout payload has bytes left over.
    func expectFullyConsumed(_ type: LinkFrameType) throws {
        guard readableBytes == 0 else {
            throw LinkProtocolError(.protocolError, "\(readableBytes) trailing bytes in \(type) payload")
        }
    }
}

/// Whether `bytes` are well-formed UTF-8: eight bytes at a time while they are ASCII,
/// the standard library's validation otherwise.
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    isASCIIBytes(bytes) || String(validating: bytes, as: UTF8.self) != nil
}

/// Whether every byte is below 0x80, eight at a time.
func isASCIIBytes(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var index = 0
    while index + 8 <= bytes.count {
        guard bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 else { return false }
        index += 8
    }
    while index < bytes.count {
        guard bytes[index] < 0x80 else { return false }
        index += 1
    }
    return true
}

extension String {
    /// Truncates to at most `maxBytes` of UTF-8 without splitting a character.
    func truncatedUTF8(maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var result = ""
        for character in self {
            if result.utf8.count + character.utf8.count > maxBytes { break }
            result.append(character)
        }
        return result
    }
}
