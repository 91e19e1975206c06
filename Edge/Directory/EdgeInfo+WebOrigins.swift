import Foundation

extension EdgeInfo {
    /// The web origins of the edge's public URLs (`scheme://host[:port]`, as a browser sends
    /// them in `Origin`: lowercase scheme and host, default port left out), http and https.
    /// URLs that are not plain http(s) origins with a safe host are left out.
    public var webOrigins: [(scheme: String, authority: String)] {
        var origins: [(scheme: String, authority: String)] = []
        for url in [httpURL, httpsURL].compactMap({ $0 }) {
            guard let origin = Self.webOrigin(url), !origins.contains(where: { $0 == origin }) else { continue }
            origins.append(origin)
        }
        return origins
    }

    /// `url`'s web origin, or nil unless it is an http(s) URL with a plain host.
    public static func webOrigin(_ url: String) -> (scheme: String, authority: String)? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host?.lowercased(), isPlainHost(host)
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return (scheme, (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host) + port)
    }

    /// A host safe to write into a header: letters, digits and `.:-[]`.
    public static func isPlainHost(_ host: String) -> Bool {
        !host.isEmpty && host.count <= 255 && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".:-[]".contains($0)) }
    }
}
