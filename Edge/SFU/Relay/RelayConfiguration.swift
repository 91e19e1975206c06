/// The edge-to-edge relay (`rtc.relay.*`, docs/configuration.md "Calls: cascade between edges").
public struct RelayConfiguration: Sendable {
    /// The relay socket's address: the address peers send to and the one this edge sends from
    /// (peers recognise a link by it, so it must be the edge's routable address, not 0.0.0.0).
    public var host: String
    public var port: Int
    /// No authenticated datagram from a peer for this long drops its tracks.
    public var consentTimeout: Duration
    /// Relay addresses (`host:port`) of the edges every call is linked to as soon as it exists:
    /// the static stand-in for the edge directory, which calls `CallRelay.link` itself.
    public var staticPeers: [String]
    /// At most this many links at once (every call × peer edge).
    public var maximumLinks: Int
    /// Hellos answered per second (each costs an HMAC), bursts of twice as many.
    public var hellosPerSecond: Int

    public init(host: String = "127.0.0.1", port: Int = 10_001, consentTimeout: Duration = .seconds(30),
                staticPeers: [String] = [], maximumLinks: Int = 1_000, hellosPerSecond: Int = 200) {
        self.host = host
        self.port = port
        self.consentTimeout = consentTimeout
        self.staticPeers = staticPeers
        self.maximumLinks = maximumLinks
        self.hellosPerSecond = hellosPerSecond
    }
}
