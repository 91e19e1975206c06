import NIOCore
import StreamLyConfig
import StreamLySFU

extension RelayConfiguration {
    /// The `rtc.relay.*` keys (docs/configuration.md "Calls: cascade between edges"), validated.
    init(_ values: ConfigValues) throws {
        let defaults = RelayConfiguration()
        let host = values.string("rtc.relay.host", default: defaults.host)
        guard (try? SocketAddress(ipAddress: host, port: 0)) != nil else {
            throw ConfigurationError("configuration rtc.relay.host=\(host) must be an IP address")
        }
        let peers = values.list("rtc.relay.peers", default: [])
        for peer in peers {
            do {
                _ = try CallRelay<WebRTCTransport>.address(peer)
            } catch {
                throw ConfigurationError("configuration rtc.relay.peers: \(error.description)")
            }
        }
        self.init(host: host,
                  port: try values.int("rtc.relay.port", default: defaults.port, range: 0...65_535),
                  consentTimeout: .seconds(Int64(try values.int("rtc.relay.consent.timeout", default: 30, range: 2...120))),
                  staticPeers: peers,
                  maximumLinks: try values.int("rtc.relay.max.links", default: defaults.maximumLinks, range: 1...100_000),
                  hellosPerSecond: try values.int("rtc.relay.hellos.per.second", default: defaults.hellosPerSecond, range: 1...10_000))
    }
}
