import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StreamLyEdgeDirectory

/// Serves the web app (`Edge/Web`, docs/webapp.md): `/` is `index.html` (`no-cache`, with a
/// strict Content-Security-Policy), `/assets/<hash>/…` the app's modules and styles and
/// `/vendor/<hash>/…` Video.js, both cached for a year as `immutable`.
struct WebAppRoutes: Sendable {
    let assets: WebAssets
    let cspOrigins: [String]
    /// The live edges (the directory's view): their public origins join the policy, since
    /// `playback_url` and `upload_url` may point at the caller's region's edge, not this one.
    var edges: @Sendable () -> [EdgeInfo] = { [] }
    /// Edges whose origins the policy lists at most (the header stays a few KiB).
    static let maximumPolicyEdges = 32

    static let immutable = "public, max-age=31536000, immutable"

    func register(on router: Router<EdgeRequestContext>) {
        router.get("/") { request, _ in index(request) }
        router.get("index.html") { request, _ in index(request) }
        router.get("assets/:hash/**") { request, context in
            guard context.parameters.get("hash") == assets.hash else { return notFound() }
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let file = assets.files[path] else { return notFound() }
            return serve(file, request: request, etag: "\"\(assets.hash)\"")
        }
        router.get("vendor/:hash/:file") { request, context in
            guard let hash = assets.vendorHash, context.parameters.get("hash") == hash,
                  let file = context.parameters.get("file").flatMap({ assets.vendor[$0] }) else { return notFound() }
            return serve(file, request: request, etag: "\"\(hash)\"")
        }
    }

    private func index(_ request: Request) -> Response {
        var headers = securityHeaders(host: request.head.authority)
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = assets.indexETag
        if request.headers[.ifNoneMatch] == assets.indexETag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: assets.indexHTML)))
    }

    private func serve(_ file: WebAssets.File, request: Request, etag: String) -> Response {
        var headers: HTTPFields = [.contentType: file.contentType, .cacheControl: Self.immutable, .eTag: etag]
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    private func notFound() -> Response {
        EdgeHTTPError(.notFound, .notFound, "no such asset (the app was updated: reload)").response()
    }

    /// The page's headers: CSP (no inline script or style, no plugins, no framing), no
    /// sniffing, no referrer.
    func securityHeaders(host: String?) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = Self.policy(host: host, extraOrigins: cspOrigins + Self.origins(of: edges()))
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Permissions-Policy")!] = "camera=(self), microphone=(self), display-capture=(self)"
        return headers
    }

    /// The origins of `edges`' public URLs for the policy: `scheme://host[:port]` of each http
    /// and https URL, and the matching `ws:` / `wss:` origin (WebSockets); URLs that are not
    /// plain http(s) origins with a safe host are left out. At most `maximumPolicyEdges` edges.
    static func origins(of edges: [EdgeInfo]) -> [String] {
        var origins: [String] = []
        for edge in edges.sorted(by: { $0.id < $1.id }).prefix(maximumPolicyEdges) {
            for (scheme, authority) in edge.webOrigins {
                for origin in ["\(scheme)://\(authority)", "\(scheme == "https" ? "wss" : "ws")://\(authority)"]
                where !origins.contains(origin) {
                    origins.append(origin)
                }
            }
        }
        return origins
    }

    /// The Content-Security-Policy for a page served under `host` (the WebSocket URLs of the
    /// same host are listed explicitly: older browsers do not match `ws:` with `'self'`).
    static func policy(host: String?, extraOrigins: [String]) -> String {
        let extra = extraOrigins.joined(separator: " ")
        var connect = "'self'"
        if let host, EdgeInfo.isPlainHost(host) {
            connect += " ws://\(host) wss://\(host)"
        }
        if !extra.isEmpty { connect += " " + extra }
        let media = extra.isEmpty ? "" : " " + extra
        return [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:\(media)",
            "media-src 'self' blob:\(media)",
            "font-src 'self' data:",
            "connect-src \(connect)",
            "worker-src 'self' blob:",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ].joined(separator: "; ")
    }
}
