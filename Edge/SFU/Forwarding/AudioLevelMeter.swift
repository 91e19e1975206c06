import NIOCore

/// Accumulates one audio producer's levels from the `ssrc-audio-level` header extension
/// (RFC 6464 §3: one byte, V bit + 7-bit level in −dBov, 0 loud, 127 silent) between two
/// speaker ticks. Per packet: two additions, no allocation.
public struct AudioLevelMeter: Sendable {
    private var sum: UInt32 = 0
    private var count: UInt32 = 0

    public init() {}

    /// The level byte's 7-bit −dBov value, or nil for a value of the wrong length.
    public static func level(fromExtension value: ByteBuffer) -> UInt8? {
        guard value.readableBytes >= 1, let byte = value.getInteger(at: value.readerIndex, as: UInt8.self) else {
            return nil
        }
        return byte & 0x7F
    }

    public mutating func record(_ level: UInt8) {
        sum &+= UInt32(min(level, 127))
        count &+= 1
    }

    /// The mean −dBov since the last call and the number of packets it covers; resets.
    public mutating func take() -> (meanLevel: Double, packets: Int) {
        defer { sum = 0; count = 0 }
        guard count > 0 else { return (127, 0) }
        return (Double(sum) / Double(count), Int(count))
    }
}
