import StreamLyEdgeDirectory

/// Which edge a client should use (`GET /api/v1/route`, `rtc.join`'s hint, the edge of
/// `playback_url` and `upload_url`): a pure decision over the directory.
///
/// 1. The client's region is known (`route.prefixes`): the least-loaded live edge of that
///    region that is not draining (`client_prefix`).
/// 2. Otherwise the client reached this edge, so this edge is taken as the nearest the origins
///    know of (`receiving_edge`) unless it drains; then the least-loaded edge of its region
///    (`same_region`); then of any region (`any_region`).
public struct EdgeRouting: Sendable {
    public enum Reason: String, Sendable {
        case clientPrefix = "client_prefix"
        case receivingEdge = "receiving_edge"
        case sameRegion = "same_region"
        case anyRegion = "any_region"
    }

    public struct Decision: Sendable, Equatable {
        public var edge: EdgeInfo
        public var reason: Reason
        /// The client's region when a prefix matched.
        public var clientRegion: String?
    }

    public init() {}

    /// The best edge among `edges` for a client in `clientRegion` (nil: unknown) that reached
    /// edge `receiving` (of `receivingRegion`); nil when no live edge takes new clients.
    public func decide(edges: [EdgeInfo], clientRegion: String?, receiving: String, receivingRegion: String) -> Decision? {
        let open = edges.filter { !$0.draining }
        if let clientRegion, let best = Self.leastLoaded(open.filter { $0.region == clientRegion }) {
            return Decision(edge: best, reason: .clientPrefix, clientRegion: clientRegion)
        }
        if let here = open.first(where: { $0.id == receiving }) {
            return Decision(edge: here, reason: .receivingEdge, clientRegion: clientRegion)
        }
        if let best = Self.leastLoaded(open.filter { $0.region == receivingRegion }) {
            return Decision(edge: best, reason: .sameRegion, clientRegion: clientRegion)
        }
        return Self.leastLoaded(open).map { Decision(edge: $0, reason: .anyRegion, clientRegion: clientRegion) }
    }

    /// Fewest participants, then fewest connections, then id (stable across edges).
    static func leastLoaded(_ edges: [EdgeInfo]) -> EdgeInfo? {
        edges.min { ($0.participants, $0.connections, $0.id) < ($1.participants, $1.connections, $1.id) }
    }
}
