import HTTPTypes
import Hummingbird
import NIOCore
import StreamLyAPI
import StreamLyEdgeDirectory

/// `GET /api/v1/edges`, `GET /api/v1/route` and the probe `GET /api/v1/probe` (docs/api.md,
/// "Edges and routing"). No token needed: a client picks its edge before signing in.
struct RegionRoutes: Sendable {
    let router: EdgeRouter
    static let probePath = "/api/v1/probe"

    func register(on httpRouter: Router<EdgeRequestContext>) {
        let api = httpRouter.group("api/v1")
        api.get("edges") { _, context in
            let edges = router.directory.edges().filter { !$0.draining }.map(EdgeRouter.view)
            return JSONBody.response(API.EdgeList(edge: router.directory.localID,
                                                  clientRegion: router.clientRegion(context.clientIP), edges: edges),
                                     headers: Self.noStore)
        }
        api.get("route") { _, context in
            guard let decision = router.decide(clientIP: context.clientIP) else {
                return EdgeHTTPError(.serviceUnavailable, .unavailable, "no edge takes new clients now").response()
            }
            return JSONBody.response(API.EdgeRoute(edge: EdgeRouter.view(decision.edge), reason: decision.reason.rawValue,
                                                   clientRegion: decision.clientRegion), headers: Self.noStore)
        }
        api.get("probe") { _, _ in
            Response(status: .noContent, headers: Self.noStore)
        }
    }

    /// Answers that must be measured or read fresh, from any web origin.
    static let noStore: HTTPFields = [.cacheControl: "no-store", .accessControlAllowOrigin: "*",
                                      HTTPField.Name("Timing-Allow-Origin")!: "*"]
}

/// The operator's view of the directory (`GET /directory` on the operator port): every live
/// edge as this edge knows it, hosted calls included, in the link's entry shape.
struct DirectoryReport: Encodable {
    var edge: String
    var region: String
    /// Local participants per call on this edge.
    var hosted: [String: Int]
    var edges: [EdgeDirectoryLinkBodies.Entry]

    init(_ directory: EdgeDirectory, now: ContinuousClock.Instant = .now) {
        edge = directory.localID
        region = directory.region
        hosted = directory.hostedCalls
        edges = directory.edges().map { info in
            EdgeDirectoryLinkBodies.Entry(
                edge: .init(id: info.id, region: info.region, httpURL: info.httpURL, httpsURL: info.httpsURL, webrtc: info.webrtc,
                            relay: info.relay, load: .init(connections: info.connections, participants: info.participants),
                            draining: info.draining, calls: info.calls.sorted()),
                expiresInMS: max(0, Int((info.expires - now) / .milliseconds(1))))
        }
    }
}
