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

/// The extension elements of a packet, in order (RFC 8285 §4.2–4.3). Iteration stops at the
/// first element that does not fit, at ID 15 in the one-byte form ("stop parsing"), or at once
/// for any profile other than the two RFC 8285 ones; padding bytes (ID 0) are skipped.
public struct RTPHeaderExtensions: Sequence, Sendable {
    let buffer: ByteBuffer
    let range: Range<Int>
    let profile: UInt16?

    public func makeIterator() -> Iterator {
        Iterator(buffer: buffer, offset: range.lowerBound, end: range.upperBound, profile: profile)
    }

    public struct Iterator: IteratorProtocol, Sendable {
        let buffer: ByteBuffer
        var offset: Int
        let end: Int
        let profile: UInt16?

        public mutating func next() -> RTPHeaderExtension? {
            guard let element = nextElement(),
                  let value = buffer.getSlice(at: buffer.readerIndex + element.valueOffset, length: element.length)
            else { return nil }
            return RTPHeaderExtension(id: element.id, value: value)
        }

        /// The next element's id, and its value's offset from the packet start and length.
        mutating func nextElement() -> (id: UInt8, valueOffset: Int, length: Int)? {
            guard let profile else { return nil }
            let oneByte = profile == RTPHeaderExtension.oneByteProfile
            guard oneByte || profile & RTPHeaderExtension.twoByteProfileMask == RTPHeaderExtension.twoByteProfile
            else { return nil }
            let base = buffer.readerIndex
            while offset < end {
                guard let first = buffer.getInteger(at: base + offset, as: UInt8.self) else { return stop() }
                if first == 0 {  // padding
                    offset += 1
                    continue
                }
                let id: UInt8
                let length: Int
                let valueOffset: Int
                if oneByte {
                    id = first >> 4
                    if id == 15 { return stop() }
                    length = Int(first & 0x0F) + 1
                    valueOffset = offset + 1
                } else {
                    guard offset + 2 <= end, let size = buffer.getInteger(at: base + offset + 1, as: UInt8.self)
                    else { return stop() }
                    id = first
                    length = Int(size)
                    valueOffset = offset + 2
                }
                guard valueOffset + length <= end else { return stop() }
                offset = valueOffset + length
                return (id, valueOffset, length)
            }
            return nil
        }

        private mutating func stop() -> (id: UInt8, valueOffset: Int, length: Int)? {
            offset = end
            return nil
        }
    }
}

extension RTPPacket {
    /// The header extension elements (empty without X or with an unknown profile).
    public var headerExtensions: RTPHeaderExtensions {
        RTPHeaderExtensions(buffer: buffer, range: extensionRange, profile: extensionProfile)
    }

    /// The value of the first element with `id`, or nil.
    public func headerExtension(id: UInt8) -> ByteBuffer? {
        var iterator = headerExtensions.makeIterator()
        while let element = iterator.next() {
            if element.id == id { return element.value }
        }
        return nil
    }

    /// Offset (from the packet start) of the value of the element with `id`, and its length.
    func headerExtensionValueRange(id: UInt8) -> Range<Int>? {
        var iterator = headerExtensions.makeIterator()
        while let element = iterator.nextElement() {
            if element.id == id { return element.valueOffset..<element.valueOffset + element.length }
        }
        return nil
    }
}
