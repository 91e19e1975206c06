/// Nearest edge: the candidate list and the routing answer (`GET /api/v1/edges`,
/// `GET /api/v1/route`, `rtc.joined`'s `better_edge`; docs/api.md, "Edges and routing").
extension API {
    /// One edge as clients see it.
    public struct EdgeView: Codable, Sendable, Equatable {
        public var id: String
        public var region: String
        public var httpURL: String?
        public var httpsURL: String?
        /// A URL to time (GET, 204, no body, never cached, any origin may read it).
        public var probeURL: String?
        /// The WebSocket URL (`wss://` on the HTTPS listener when announced, else `ws://`).
        public var wsURL: String?
        public var draining: Bool
        public var load: EdgeLoad

        enum CodingKeys: String, CodingKey {
            case id, region, draining, load
            case httpURL = "http_url", httpsURL = "https_url", probeURL = "probe_url", wsURL = "ws_url"
        }

        public init(id: String, region: String, httpURL: String?, httpsURL: String?, probeURL: String?, wsURL: String?,
                    draining: Bool, load: EdgeLoad) {
            self.id = id
            self.region = region
            self.httpURL = httpURL
            self.httpsURL = httpsURL
            self.probeURL = probeURL
            self.wsURL = wsURL
            self.draining = draining
            self.load = load
        }
    }

    public struct EdgeLoad: Codable, Sendable, Equatable {
        public var connections: Int
        public var participants: Int
        public init(connections: Int, participants: Int) {
            self.connections = connections
            self.participants = participants
        }
    }

    /// `GET /api/v1/edges`.
    public struct EdgeList: Codable, Sendable, Equatable {
        /// The edge that answered.
        public var edge: String
        /// The caller's region from the configured prefixes, if one matched.
        public var clientRegion: String?
        /// Live edges taking new clients, by id.
        public var edges: [EdgeView]

        enum CodingKeys: String, CodingKey {
            case edge, edges, clientRegion = "client_region"
        }

        public init(edge: String, clientRegion: String?, edges: [EdgeView]) {
            self.edge = edge
            self.clientRegion = clientRegion
            self.edges = edges
        }
    }

    /// `GET /api/v1/route`.
    public struct EdgeRoute: Codable, Sendable, Equatable {
        public var edge: EdgeView
        /// `client_prefix`, `receiving_edge`, `same_region` or `any_region`.
        public var reason: String
        public var clientRegion: String?

        enum CodingKeys: String, CodingKey {
            case edge, reason, clientRegion = "client_region"
        }

        public init(edge: EdgeView, reason: String, clientRegion: String?) {
            self.edge = edge
            self.reason = reason
            self.clientRegion = clientRegion
        }
    }
}
