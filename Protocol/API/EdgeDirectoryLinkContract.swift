/// Link methods of the edge directory (documented in `Protocol/README.md`, "Edge directory"):
/// every edge announces itself (region, public addresses, load, draining, the calls it hosts)
/// to an origin about once a second; origins keep the announcements in PostgreSQL with an
/// expiry, so every origin, and every edge through the answer, sees the same directory and a
/// dead edge drops out within its time to live.
public enum EdgeDirectoryLink {
    public enum Method {
        /// Edge → origin: this edge is alive. Body `EdgeDirectoryLinkBodies.Announcement`;
        /// 200 with `EdgeDirectoryLinkBodies.Directory` (every live edge, this one included).
        public static let announce = "edges.announce"
        /// Edge → origin: this edge leaves (drain): its entry is removed at once. Body
        /// `EdgeDirectoryLinkBodies.Withdrawal`; 204.
        public static let withdraw = "edges.withdraw"
        /// Any peer → origin: the directory as it stands. Body ignored; 200 with
        /// `EdgeDirectoryLinkBodies.Directory`.
        public static let list = "edges.list"
    }
}

/// JSON bodies of the directory methods.
public enum EdgeDirectoryLinkBodies {
    /// What an edge says about itself.
    public struct Announcement: Codable, Sendable, Equatable {
        /// The edge's node id (`node.id`): 1–64 of `A-Za-z0-9._-`.
        public var id: String
        /// Its region (`region`): 1–64 of `A-Za-z0-9._-`.
        public var region: String
        /// Public base URLs (`public.url`, `public.https.url`): `http://…` / `https://…`, ≤ 255 bytes.
        public var httpURL: String?
        public var httpsURL: String?
        /// Addresses its WebRTC media server announces (`host:port`), at most 8.
        public var webrtc: [String]
        /// Where other edges reach its media relay (`host:port`), if it runs one.
        public var relay: String?
        public var load: Load
        /// True while the edge drains: route no one new to it.
        public var draining: Bool
        /// The calls (channel ids) with participants on this edge, at most `maxCalls`.
        public var calls: [String]
        /// How long the entry lives without another announcement, in ms (1,000–60,000).
        public var ttlMS: Int

        public static let maxCalls = 1_000
        public static let maxAddresses = 8
        public static let ttlRange = 1_000...60_000

        enum CodingKeys: String, CodingKey {
            case id, region, webrtc, relay, load, draining, calls
            case httpURL = "http_url", httpsURL = "https_url", ttlMS = "ttl_ms"
        }

        public init(id: String, region: String, httpURL: String? = nil, httpsURL: String? = nil, webrtc: [String] = [],
                    relay: String? = nil, load: Load = Load(), draining: Bool = false, calls: [String] = [],
                    ttlMS: Int = 3_000) {
            self.id = id
            self.region = region
            self.httpURL = httpURL
            self.httpsURL = httpsURL
            self.webrtc = webrtc
            self.relay = relay
            self.load = load
            self.draining = draining
            self.calls = calls
            self.ttlMS = ttlMS
        }

        /// Why the announcement is refused, or nil when it is well formed.
        public var problem: String? {
            guard Self.isName(id) else { return "id must be 1-64 of A-Za-z0-9._-" }
            guard Self.isName(region) else { return "region must be 1-64 of A-Za-z0-9._-" }
            for url in [httpURL, httpsURL].compactMap({ $0 }) where url.utf8.count > 255 || !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                return "http_url and https_url must be http(s) URLs of at most 255 bytes"
            }
            guard webrtc.count <= Self.maxAddresses, webrtc.allSatisfy({ (1...255).contains($0.utf8.count) }),
                  (relay?.utf8.count ?? 1) <= 255 else { return "at most \(Self.maxAddresses) addresses of at most 255 bytes" }
            guard calls.count <= Self.maxCalls, calls.allSatisfy({ (1...64).contains($0.utf8.count) }) else {
                return "at most \(Self.maxCalls) calls of 1-64 bytes each"
            }
            guard load.connections >= 0, load.participants >= 0 else { return "load counts must not be negative" }
            guard Self.ttlRange.contains(ttlMS) else { return "ttl_ms must be \(Self.ttlRange.lowerBound)-\(Self.ttlRange.upperBound)" }
            return nil
        }

        static func isName(_ value: String) -> Bool {
            (1...64).contains(value.utf8.count) && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
        }
    }

    /// How busy an edge is.
    public struct Load: Codable, Sendable, Equatable {
        /// Open WebSocket connections.
        public var connections: Int
        /// Call participants on this edge.
        public var participants: Int

        public init(connections: Int = 0, participants: Int = 0) {
            self.connections = connections
            self.participants = participants
        }
    }

    /// `edges.withdraw`.
    public struct Withdrawal: Codable, Sendable, Equatable {
        public var id: String
        public init(id: String) { self.id = id }
    }

    /// One live edge: its last announcement and how long it still lives.
    public struct Entry: Codable, Sendable, Equatable {
        public var edge: Announcement
        /// Milliseconds until the entry expires, by the origins' database clock.
        public var expiresInMS: Int

        enum CodingKeys: String, CodingKey {
            case edge, expiresInMS = "expires_in_ms"
        }

        public init(edge: Announcement, expiresInMS: Int) {
            self.edge = edge
            self.expiresInMS = expiresInMS
        }
    }

    /// The directory: every live edge, by id.
    public struct Directory: Codable, Sendable, Equatable {
        public var edges: [Entry]
        public init(edges: [Entry]) { self.edges = edges }
    }
}
