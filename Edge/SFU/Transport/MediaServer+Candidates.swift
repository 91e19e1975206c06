import NIOCore

extension MediaServer {
    /// The addresses to announce when `rtc.announced.ips` is unset: the bound host if it is a
    /// specific address, else every interface address that is not loopback, IPv6 link-local
    /// or unspecified (browsers and aiortc skip loopback candidates).
    static func interfaceAddresses(boundTo host: String) throws -> [String] {
        if host != "0.0.0.0", host != "::" { return [host] }
        var seen: [String] = []
        for device in try System.enumerateDevices() {
            guard let address = device.address, let ip = address.ipAddress else { continue }
            switch address {
            case .v4:
                if ip.hasPrefix("127.") || ip == "0.0.0.0" { continue }
            case .v6:
                if host == "0.0.0.0" { continue }  // an IPv4 socket cannot reach IPv6 peers
                let lower = ip.lowercased()
                if lower == "::1" || lower.hasPrefix("fe80") || lower == "::" { continue }
            case .unixDomainSocket:
                continue
            }
            if !seen.contains(ip) { seen.append(ip) }
        }
        return seen
    }

    /// One UDP host candidate per address, then (ICE-TCP) one passive TCP candidate per
    /// address with a lower priority (RFC 8445 §5.1.2.1: type preference 126 for host,
    /// local preference by order; RFC 6544 §4.2).
    /// `udp` false: the TCP candidates only.
    static func hostCandidates(ips: [String], udpPort: UInt16, tcpPort: UInt16?, udp: Bool = true) -> [SDPCandidate] {
        func priority(localPreference: Int) -> UInt32 {
            UInt32(126 << 24 | (localPreference & 0xFFFF) << 8 | (256 - 1))
        }
        var candidates: [SDPCandidate] = []
        for (index, ip) in ips.enumerated() where udp || tcpPort == nil {
            candidates.append(SDPCandidate(foundation: "\(index + 1)", component: 1, transport: "udp",
                                           priority: priority(localPreference: 65_535 - index),
                                           address: ip, port: udpPort, type: "host"))
        }
        if let tcpPort {
            for (index, ip) in ips.enumerated() {
                candidates.append(SDPCandidate(foundation: "\(ips.count + index + 1)", component: 1, transport: "tcp",
                                               priority: priority(localPreference: 16_383 - index),
                                               address: ip, port: tcpPort, type: "host", tcpType: "passive"))
            }
        }
        return candidates
    }
}
