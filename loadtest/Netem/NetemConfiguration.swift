import Foundation

/// The emulated world (`streamly-load netem --config FILE`, infra/regions.sh): ports (a TUN
/// device in a network namespace, with the addresses routed to it and its group, e.g. a
/// region) and the links between groups.
public struct NetemConfiguration: Sendable, Codable, Equatable {
    public struct Port: Sendable, Codable, Equatable {
        /// The network namespace holding the device (`ip netns` name); nil: this process's own.
        public var namespace: String?
        /// The TUN device (created beforehand with `ip tuntap add dev NAME mode tun`).
        public var device: String
        /// The group (region) of the host behind it.
        public var group: String
        /// IPv4 addresses of that host: packets to them leave through this port.
        public var addresses: [String]

        public init(namespace: String?, device: String, group: String, addresses: [String]) {
            self.namespace = namespace
            self.device = device
            self.group = group
            self.addresses = addresses
        }
    }

    /// The link between two groups (both directions alike); `between` may name one group twice
    /// for traffic inside it.
    public struct Link: Sendable, Codable, Equatable {
        public var between: [String]
        public var profile: LinkProfile

        public init(between: [String], profile: LinkProfile) {
            self.between = between
            self.profile = profile
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            between = try container.decode([String].self, forKey: .between)
            profile = try LinkProfile(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(between, forKey: .between)
            try profile.encode(to: encoder)
        }

        enum CodingKeys: String, CodingKey { case between }
    }

    public var ports: [Port]
    public var links: [Link]
    /// Between hosts of one group when no link names it twice.
    public var intra: LinkProfile
    /// Between groups no link names.
    public var fallback: LinkProfile

    enum CodingKeys: String, CodingKey { case ports, links, intra, fallback = "default" }

    public init(ports: [Port], links: [Link], intra: LinkProfile = LinkProfile(delayMS: 1), fallback: LinkProfile = LinkProfile()) {
        self.ports = ports
        self.links = links
        self.intra = intra
        self.fallback = fallback
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ports = try container.decode([Port].self, forKey: .ports)
        links = try container.decodeIfPresent([Link].self, forKey: .links) ?? []
        intra = try container.decodeIfPresent(LinkProfile.self, forKey: .intra) ?? LinkProfile(delayMS: 1)
        fallback = try container.decodeIfPresent(LinkProfile.self, forKey: .fallback) ?? LinkProfile()
    }

    /// The profile from group `a` to group `b`.
    public func profile(from a: String, to b: String) -> LinkProfile {
        if let link = links.first(where: { Set($0.between) == Set([a, b]) && ($0.between.count == 2 || a == b) }) {
            return link.profile
        }
        return a == b ? intra : fallback
    }

    /// Checks ports, addresses and profiles; throws with what is wrong.
    public func validate() throws {
        guard !ports.isEmpty, ports.count <= 256 else { throw NetemError("1-256 ports are needed") }
        var seen = Set<String>()
        for port in ports {
            guard (1...15).contains(port.device.utf8.count) else { throw NetemError("device \(port.device): 1-15 bytes") }
            for address in port.addresses {
                guard IPv4.parse(address) != nil else { throw NetemError("\(address) is not an IPv4 address") }
                guard seen.insert(address).inserted else { throw NetemError("\(address) is on two ports") }
            }
        }
        for link in links {
            guard (1...2).contains(link.between.count) else { throw NetemError("a link is between one or two groups") }
        }
        for profile in links.map(\.profile) + [intra, fallback] {
            if let problem = profile.problem { throw NetemError(problem) }
        }
    }

    public static func load(_ path: String) throws -> NetemConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw NetemError("cannot read \(path)") }
        do {
            let configuration = try JSONDecoder().decode(NetemConfiguration.self, from: data)
            try configuration.validate()
            return configuration
        } catch let error as NetemError {
            throw error
        } catch {
            throw NetemError("\(path) is not a valid emulator configuration: \(error)")
        }
    }
}

public struct NetemError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// IPv4 addresses as 32-bit numbers.
enum IPv4 {
    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}
