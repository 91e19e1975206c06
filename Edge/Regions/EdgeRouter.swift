import StreamLyAPI
import StreamLyEdgeDirectory

/// Routing on this edge: the caller's region from `route.prefixes`, the best edge for them
/// from the directory (`EdgeRouting`), and that edge as clients see it.
struct EdgeRouter: Sendable {
    let directory: EdgeDirectory
    let configuration: RegionConfiguration

    /// The caller's region, if a configured prefix covers `clientIP`.
    func clientRegion(_ clientIP: String) -> String? {
        configuration.prefixes.region(of: clientIP)
    }

    func decide(clientIP: String) -> EdgeRouting.Decision? {
        EdgeRouting().decide(edges: directory.edges(), clientRegion: clientRegion(clientIP),
                             receiving: directory.localID, receivingRegion: directory.region)
    }

    /// Another edge the caller should rather use (their region is known and this edge is not
    /// in it), or nil to stay here.
    func betterEdge(clientIP: String) -> EdgeInfo? {
        guard let decision = decide(clientIP: clientIP), decision.reason == .clientPrefix,
              decision.edge.id != directory.localID, decision.edge.region != directory.region,
              decision.edge.preferredURL != nil else { return nil }
        return decision.edge
    }

    /// `url` (a path such as `/vod/…`) on the caller's better edge, or unchanged.
    func absolute(_ url: String, clientIP: String) -> String {
        guard url.hasPrefix("/"), let base = betterEdge(clientIP: clientIP)?.preferredURL else { return url }
        return base + url
    }

    static func view(_ edge: EdgeInfo) -> API.EdgeView {
        let base = edge.preferredURL
        let ws = edge.httpsURL.map { "wss://" + $0.dropFirst("https://".count) + "/ws" }
            ?? edge.httpURL.map { "ws://" + $0.dropFirst("http://".count) + "/ws" }
        return API.EdgeView(id: edge.id, region: edge.region, httpURL: edge.httpURL, httpsURL: edge.httpsURL,
                            probeURL: base.map { $0 + RegionRoutes.probePath }, wsURL: ws, draining: edge.draining,
                            load: .init(connections: edge.connections, participants: edge.participants))
    }
}
