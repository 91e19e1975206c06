import Hummingbird
import HummingbirdTesting
import StreamLyEdgeDirectory
import Testing
@testable import StreamLyEdge

/// CORS on the REST API: a page served by another edge the directory has listed may call it (the
/// web app moves to another edge when its own drains); other sites may not.
@Suite("REST across origins: the directory's edges")
struct RESTCrossOriginTests {
    static let edges = [
        EdgeInfo(id: "a", region: "r", httpURL: "http://10.77.1.1:8080", expires: .now + .seconds(60)),
        EdgeInfo(id: "b", region: "r", httpURL: "http://b.example.com:80/", httpsURL: "https://B.example.com", expires: .now + .seconds(60)),
    ]

    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: EdgeRequestContext.self)
        let api = router.group("api/v1").add(middleware: RESTCrossOrigin(known: KnownEdgeOrigins(Self.edges)))
        api.get("channels") { _, _ in Response(status: .ok) }
        api.post("channels") { _, _ -> Response in throw EdgeHTTPError(.unauthorized, .unauthorized, "no token") }
        api.get("channels/:id/members") { _, _ in Response(status: .ok) }
        RESTCrossOrigin.answerOptions(on: router, through: api)
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    @Test("an edge's origin (default port left out, any case in the URL) may call, errors included; the preflight names methods and headers")
    func edgesMayCall() async throws {
        try await withApp { client in
            for origin in ["http://10.77.1.1:8080", "http://b.example.com", "https://b.example.com"] {
                try await client.execute(uri: "/api/v1/channels", method: .get, headers: [.origin: origin]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.accessControlAllowOrigin] == origin && response.headers[.vary] == "Origin")
                }
                try await client.execute(uri: "/api/v1/channels", method: .post, headers: [.origin: origin]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.accessControlAllowOrigin] == origin, "the page must read the error")
                }
                try await client.execute(uri: "/api/v1/channels/c1/members", method: .options, headers: [
                    .origin: origin, .accessControlRequestMethod: "GET", .accessControlRequestHeaders: "authorization",
                ]) { response in
                    #expect(response.status == .noContent)
                    #expect(response.headers[.accessControlAllowOrigin] == origin)
                    #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
                    #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                }
            }
        }
    }

    @Test("other sites, lookalikes and other ports get no CORS headers; OPTIONS without an allowed origin lists the path's methods")
    func othersMayNot() async throws {
        try await withApp { client in
            for origin in ["https://evil.example.com", "http://10.77.1.1:8081", "http://10.77.1.1:8080.evil.com", "null",
                           "http://10.77.1.1:8080/", "HTTP://10.77.1.1:8080"] {
                try await client.execute(uri: "/api/v1/channels", method: .get, headers: [.origin: origin]) { response in
                    #expect(response.status == .ok && response.headers[.accessControlAllowOrigin] == nil, "\(origin)")
                }
                try await client.execute(uri: "/api/v1/channels", method: .options, headers: [
                    .origin: origin, .accessControlRequestMethod: "POST",
                ]) { response in
                    #expect(response.status == .noContent && response.headers[.accessControlAllowOrigin] == nil, "\(origin)")
                }
            }
            try await client.execute(uri: "/api/v1/channels", method: .options) { response in
                #expect(response.status == .noContent && response.headers[.allow] == "GET, OPTIONS, POST")
            }
        }
    }

    @Test("an edge's origin stays known after the edge leaves the directory (its pages are the ones that move); at most 1,024, the oldest forgotten")
    func knownOrigins() {
        let known = KnownEdgeOrigins(Self.edges)
        known.learn([])  // edge a drained: gone from the directory
        #expect(known.contains("http://10.77.1.1:8080") && known.contains("https://b.example.com"))
        known.learn((0..<KnownEdgeOrigins.capacity).map {
            EdgeInfo(id: "e\($0)", region: "r", httpURL: "http://10.78.\($0 / 256).\($0 % 256):8080", expires: .now + .seconds(60))
        })
        #expect(!known.contains("http://10.77.1.1:8080"), "the oldest is forgotten first")
        #expect(known.contains("http://10.78.0.0:8080") && known.contains("http://10.78.3.255:8080"))
    }
}
