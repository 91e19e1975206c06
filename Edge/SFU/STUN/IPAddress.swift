/// An IPv4 or IPv6 address held as integers in network byte order semantics (most significant
/// byte first), as carried by STUN address attributes (RFC 8489 §14.1, families 0x01 and 0x02)
/// and by candidates in SDP (RFC 8839 §5.1).
///
/// A plain value: no system call, no allocation. The transport layer converts NIO's
/// `SocketAddress` to and from it.
public enum IPAddress: Hashable, Sendable {
    /// An IPv4 address: `192.0.2.1` is `0xC000_0201`.
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits.
    case v6(high: UInt64, low: UInt64)

    /// An IPv4 address from its four octets, most significant first.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self = .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// An address from its 4 or 16 octets in network order; nil for any other count.
    public init?(octets: some Collection<UInt8>) {
        switch octets.count {
        case 4:
            self = .v4(octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case 16:
            let high = octets.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = octets.dropFirst(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high: high, low: low)
        default:
            return nil
        }
    }

    /// The address octets in network order (4 or 16 of them).
    public var octets: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// True for IPv6.
    public var isV6: Bool {
        if case .v6 = self { return true }
        return false
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4; eight uncompressed lowercase hex groups for IPv6.
    public var description: String {
        switch self {
        case .v4:
            return octets.map(String.init).joined(separator: ".")
        case .v6:
            let bytes = octets
            return stride(from: 0, to: 16, by: 2)
                .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
    }
}
