import NIOCore

/// Reading header extension elements (RFC 8285 §4).
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
