import NIOCore

/// Renames RTP header extension ids from a publisher's numbering to a subscriber's (each
/// connection negotiates its own ids): 16 nibbles in one integer, so the per-packet rewrite
/// touches no heap. Ids 1…14 are mapped; ids of two-byte elements above 15 are left as they are.
public struct ExtensionIDMap: Hashable, Sendable {
    private var packed: UInt64

    /// Every id maps to `fallback` (an id the subscriber's SDP does not map, so it ignores them).
    public init(fallback: UInt8) {
        var packed: UInt64 = 0
        for id in 0..<16 { packed |= UInt64(id == 0 || id == 15 ? UInt8(id) : fallback & 0x0F) << (4 * UInt64(id)) }
        self.packed = packed
    }

    public mutating func map(_ id: UInt8, to newID: UInt8) {
        guard id > 0, id < 15 else { return }
        let shift = 4 * UInt64(id)
        packed = (packed & ~(0xF << shift)) | (UInt64(newID & 0x0F) << shift)
    }

    public subscript(_ id: UInt8) -> UInt8 {
        id < 16 ? UInt8(truncatingIfNeeded: packed >> (4 * UInt64(id))) & 0x0F : id
    }
}

extension RTPPacket {
    /// Writes into `out` the element ids of this packet renamed through `map`; `out` holds a
    /// byte copy of this packet starting at its reader index (the ids are read here and written
    /// there, so this packet's storage is never copied).
    public func writeRemappedExtensionIDs(_ map: ExtensionIDMap, into out: inout ByteBuffer) {
        guard let profile = extensionProfile else { return }
        let oneByte = profile == RTPHeaderExtension.oneByteProfile
        var iterator = headerExtensions.makeIterator()
        while let element = iterator.nextElement() {
            let newID = map[element.id]
            guard newID != element.id else { continue }
            if oneByte {
                out.setInteger(newID << 4 | UInt8(element.length - 1), at: out.readerIndex + element.valueOffset - 1)
            } else if element.id < 16 {
                out.setInteger(newID, at: out.readerIndex + element.valueOffset - 2)
            }
        }
    }

    /// The offset (from the reader index) and length of the value of extension `id`.
    public func headerExtensionValue(id: UInt8) -> (offset: Int, length: Int)? {
        guard id != 0, let range = headerExtensionValueRange(id: id) else { return nil }
        return (range.lowerBound, range.count)
    }
}

/// abs-send-time (webrtc.org): 24-bit 6.18 fixed-point seconds of the send time.
public enum AbsoluteSendTime {
    public static func value(nanoseconds: UInt64) -> UInt32 {
        // The field wraps every 64 s: reduce first so the shift cannot overflow.
        UInt32(truncatingIfNeeded: ((nanoseconds % 64_000_000_000) << 18) / 1_000_000_000) & 0x00FF_FFFF
    }
}
