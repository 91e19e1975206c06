import NIOCore

/// The 96-bit transaction id of a STUN message (RFC 8489 §5, §6).
public struct StunTransactionID: Hashable, Sendable {
    /// Bytes 8–11 of the header.
    public var high: UInt32
    /// Bytes 12–19 of the header.
    public var low: UInt64

    public init(high: UInt32, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From exactly 12 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        self.high = bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        self.low = bytes.dropFirst(4).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A random id (RFC 8489 §6: cryptographically random for requests); the generator is
    /// passed in so that tests can be deterministic.
    public static func random(using generator: inout some RandomNumberGenerator) -> StunTransactionID {
        StunTransactionID(high: UInt32.random(in: .min ... .max, using: &generator),
                          low: UInt64.random(in: .min ... .max, using: &generator))
    }

    /// The 12 bytes in wire order.
    public var bytes: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: high >> (24 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(high)
        buffer.writeInteger(low)
    }
}
