import StreamLyEdgeDirectory
import Testing
@testable import StreamLyEdge

/// The web app page's Content-Security-Policy admits the live edges' public origins (their
/// `playback_url` and `upload_url` may be the caller's region's edge, not the page's).
@Suite("Web app policy: the directory's edges")
struct WebAppPolicyTests {
    static func edge(_ id: String, http: String? = nil, https: String? = nil) -> EdgeInfo {
        EdgeInfo(id: id, region: "r", httpURL: http, httpsURL: https, expires: .now + .seconds(3))
    }

    @Test("each edge's http and https origins and their WebSocket twins, once each, path dropped")
    func originsOfEdges() {
        let origins = WebAppRoutes.origins(of: [
            Self.edge("b", http: "http://10.77.2.1:8080/", https: "https://us.example.com/app"),
            Self.edge("a", http: "http://10.77.1.1:8080"),
            Self.edge("c", http: "http://10.77.1.1:8080"),
            Self.edge("d", https: "https://[2001:db8::1]:8443"),
            // As browsers write an origin: lowercase, default port left out.
            Self.edge("e", http: "HTTP://EU.Example.com:80/", https: "https://eu.example.com:443"),
        ])
        #expect(origins == ["http://10.77.1.1:8080", "ws://10.77.1.1:8080", "http://10.77.2.1:8080", "ws://10.77.2.1:8080",
                            "https://us.example.com", "wss://us.example.com", "https://[2001:db8::1]:8443", "wss://[2001:db8::1]:8443",
                            "http://eu.example.com", "ws://eu.example.com", "https://eu.example.com", "wss://eu.example.com"])
    }

    @Test("URLs that are not plain http(s) origins with a safe host are left out of the header")
    func unsafeURLsLeftOut() {
        let origins = WebAppRoutes.origins(of: [
            Self.edge("a", http: "javascript:alert(1)"), Self.edge("b", http: "ftp://x.example.com"),
            Self.edge("c", http: "http://evil.example.com;script-src *"), Self.edge("d", http: "http://a b.example.com"),
            Self.edge("e", https: "not a url"),
        ])
        #expect(origins.isEmpty, "\(origins)")
    }

    @Test("the page's policy lists them in connect-src and media-src; at most 32 edges")
    func policyListsThem() {
        let edges = (0..<40).map { Self.edge(String(format: "e%02d", $0), http: "http://10.77.0.\($0 + 1):8080") }
        let origins = WebAppRoutes.origins(of: edges)
        #expect(origins.count == 2 * WebAppRoutes.maximumPolicyEdges)
        let policy = WebAppRoutes.policy(host: "10.77.0.1:8080", extraOrigins: origins)
        let directives = policy.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let connect = directives.first { $0.hasPrefix("connect-src") } ?? ""
        let media = directives.first { $0.hasPrefix("media-src") } ?? ""
        #expect(connect.contains("http://10.77.0.2:8080") && connect.contains("ws://10.77.0.2:8080"), "\(connect)")
        #expect(media.contains("http://10.77.0.32:8080") && !media.contains("10.77.0.33:"), "\(media)")
    }
}
