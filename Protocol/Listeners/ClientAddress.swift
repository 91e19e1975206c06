import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The part of a peer's address that per-client caps count by: the whole IPv4 address (an
/// IPv4-mapped IPv6 address counts as its IPv4 address), the /64 prefix of an IPv6 address
/// (hosts get a /64, so any address in it is the same client), or one key for every
/// Unix-socket peer and for a peer whose address is unknown.
public struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    public init(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4):
            (high, low) = (4, UInt64(UInt32(bigEndian: v4.address.sin_addr.s_addr)))
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                (high, low) = (4, UInt64(bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
            } else {
                (high, low) = (6, bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            }
        default:
            (high, low) = (0, 0)
        }
    }

    public var description: String {
        switch high {
        case 4: return [24, 16, 8, 0].map { String((low >> UInt64($0)) & 0xFF) }.joined(separator: ".")
        case 6: return stride(from: 48, through: 0, by: -16).map { String((low >> UInt64($0)) & 0xFFFF, radix: 16) }
            .joined(separator: ":") + "::/64"
        default: return "local"
        }
    }
}
