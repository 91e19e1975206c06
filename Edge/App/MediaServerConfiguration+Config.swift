import NIOCore
import StreamLyConfig
import StreamLySFU

extension MediaServerConfiguration {
    /// The `rtc.*` keys of the media transport, validated (docs/configuration.md "Calls: media
    /// transport"), for the edge's media server settings.
    init(_ values: ConfigValues) throws {
        let defaults = MediaServerConfiguration()
        var announced: [String]?
        if values.values["rtc.announced.ips"] != nil {
            announced = values.list("rtc.announced.ips", default: [])
            for ip in announced ?? [] where (try? SocketAddress(ipAddress: ip, port: 0)) == nil {
                throw ConfigurationError("configuration rtc.announced.ips: \(ip) is not an IPv4 or IPv6 address")
            }
            if announced?.isEmpty ?? true { announced = nil }
        }
        let host = values.string("rtc.host", default: defaults.host)
        guard (try? SocketAddress(ipAddress: host, port: 0)) != nil else {
            throw ConfigurationError("configuration rtc.host=\(host) must be an IP address")
        }
        self.init(
            host: host,
            port: try values.int("rtc.port", default: defaults.port, range: 0...65_535),
            announcedIPs: announced,
            tcpPort: values.values["rtc.tcp.port"] == nil ? nil : try values.int("rtc.tcp.port", default: 0, range: 1...65_535),
            ice: IceLiteConfiguration(consentTimeout: .seconds(Int64(
                try values.int("rtc.consent.timeout", default: 30, range: 5...120)))),
            maximumTransports: try values.int("rtc.max.transports", default: defaults.maximumTransports,
                                              range: 1...100_000),
            maximumTCPConnections: try values.int("rtc.max.tcp.connections", default: defaults.maximumTCPConnections,
                                                  range: 1...100_000))
        maximumTCPConnectionsPerAddress = try values.int("rtc.max.tcp.connections.per.ip",
                                                         default: defaults.maximumTCPConnectionsPerAddress, range: 1...100_000)
        announcesUDP = try values.bool("rtc.udp.candidates", default: true)
        if !announcesUDP, tcpPort == nil {
            throw ConfigurationError("configuration rtc.udp.candidates=false needs rtc.tcp.port (no candidate would be left)")
        }
    }
}
