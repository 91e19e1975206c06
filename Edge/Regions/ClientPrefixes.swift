import NIOCore

/// Configured client prefixes (`route.prefixes`: `CIDR=region`, comma-separated): which region
/// a client address belongs to, by longest-prefix match. IPv4 and IPv6; an IPv4-mapped IPv6
/// address (`::ffff:a.b.c.d`) matches IPv4 prefixes.
public struct ClientPrefixes: Sendable, Equatable {
    struct Prefix: Sendable, Equatable {
        /// 4 or 16 address bytes.
        var bytes: [UInt8]
        var length: Int
        var region: String
    }

    var prefixes: [Prefix]
    /// Most prefixes accepted in configuration.
    public static let maxCount = 1_024

    public init() { prefixes = [] }

    /// Parses `entries` such as `10.1.0.0/16=eu`, `2001:db8::/32=us`.
    public init(_ entries: [String]) throws(RegionConfigurationError) {
        guard entries.count <= Self.maxCount else {
            throw RegionConfigurationError("route.prefixes: at most \(Self.maxCount) prefixes")
        }
        prefixes = try entries.map { entry throws(RegionConfigurationError) in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, RegionName.isValid(parts[1]) else {
                throw RegionConfigurationError("route.prefixes: \(entry) must be CIDR=region (region 1-64 of A-Za-z0-9._-)")
            }
            let cidr = parts[0].split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.addressBytes(cidr[0]) else {
                throw RegionConfigurationError("route.prefixes: \(cidr[0]) is not an IPv4 or IPv6 address")
            }
            let length = cidr.count == 2 ? Int(cidr[1]) : bytes.count * 8
            guard let length, (0...(bytes.count * 8)).contains(length) else {
                throw RegionConfigurationError("route.prefixes: \(entry) has a bad prefix length")
            }
            return Prefix(bytes: bytes, length: length, region: parts[1])
        }
        // Longest first: the first match is the most specific.
        prefixes.sort { $0.length > $1.length }
    }

    /// The region of `address` (text form), or nil when no prefix covers it.
    public func region(of address: String) -> String? {
        guard var bytes = Self.addressBytes(address) else { return nil }
        // IPv4-mapped IPv6 → IPv4.
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        return prefixes.first { $0.bytes.count == bytes.count && Self.matches(bytes, $0.bytes, length: $0.length) }?.region
    }

    public var isEmpty: Bool { prefixes.isEmpty }

    static func matches(_ address: [UInt8], _ prefix: [UInt8], length: Int) -> Bool {
        var remaining = length
        var index = 0
        while remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address[index] & mask != prefix[index] & mask { return false }
            remaining -= 8
            index += 1
        }
        return true
    }

    /// The address bytes of an IPv4 or IPv6 literal (4 or 16), through NIO's parser.
    static func addressBytes(_ text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }
}

/// Region names: 1–64 of `A-Za-z0-9._-`.
enum RegionName {
    static func isValid(_ value: String) -> Bool {
        (1...64).contains(value.utf8.count) && value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}

/// A bad `region`, `route.*` or `directory.*` setting (turned into a `ConfigurationError`).
public struct RegionConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
