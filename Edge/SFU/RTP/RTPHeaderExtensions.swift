import NIOCore

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
