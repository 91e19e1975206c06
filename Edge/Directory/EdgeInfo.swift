/// One live edge as the directory knows it (its last announcement, `Protocol/README.md`, "Edge
/// directory").
public struct EdgeInfo: Sendable, Hashable {
    /// The edge's node id (`node.id`).
    public var id: String
    /// Its region (`region`).
    public var region: String
    /// Public base URLs clients use (`public.url`, `public.https.url`), if configured.
    public var httpURL: String?
    public var httpsURL: String?
    /// Addresses (`host:port`) its WebRTC media server announces to clients.
    public var webrtc: [String]
    /// Where other edges reach its media relay (`host:port`), if it announces one.
    public var relay: String?
    /// Open WebSocket connections and call participants.
    public var connections: Int
    public var participants: Int
    /// True while it drains: send no one new there.
    public var draining: Bool
    /// Calls (channel ids) with participants on it.
    public var calls: Set<String>
    /// When the entry expires unless the edge announces again (this process's clock).
    public var expires: ContinuousClock.Instant

    public init(id: String, region: String, httpURL: String? = nil, httpsURL: String? = nil, webrtc: [String] = [],
                relay: String? = nil, connections: Int = 0, participants: Int = 0, draining: Bool = false,
                calls: Set<String> = [], expires: ContinuousClock.Instant) {
        self.id = id
        self.region = region
        self.httpURL = httpURL
        self.httpsURL = httpsURL
        self.webrtc = webrtc
        self.relay = relay
        self.connections = connections
        self.participants = participants
        self.draining = draining
        self.calls = calls
        self.expires = expires
    }

    /// The base URL a client should use: HTTPS when announced, else HTTP.
    public var preferredURL: String? { httpsURL ?? httpURL }
}
