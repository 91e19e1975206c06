import Foundation
import StreamLyConfig

/// Where the web app's files are and what its Content-Security-Policy admits (`web.*`,
/// docs/configuration.md "Web app").
public struct WebAppConfiguration: Sendable {
    /// Serve the web app at `/` (`web.enabled`).
    public var enabled = true
    /// The directory of `index.html` and the app's modules (`web.root`); nil: `Edge/Web`
    /// found next to the binary or the working directory (`WebAssets.locate`).
    public var root: String?
    /// The directory of Video.js's `video.min.js` and `video-js.min.css` (`web.videojs.dir`);
    /// nil: the `js.videojs` package in `.state/venv` found the same way. Without it the
    /// player uses native HLS only (Safari).
    public var videojsDirectory: String?
    /// Origins (`scheme://host[:port]`) the browser may also connect to and load images and
    /// media from: the S3 endpoint that presigned attachment URLs point at (`web.csp.origins`).
    public var cspOrigins: [String] = []

    public init() {}

    public init(_ values: ConfigValues) throws {
        enabled = try values.bool("web.enabled", default: true)
        root = values.optionalString("web.root")
        videojsDirectory = values.optionalString("web.videojs.dir")
        cspOrigins = values.list("web.csp.origins", default: [])
        for origin in cspOrigins where !Self.isOrigin(origin) {
            throw ConfigurationError("configuration web.csp.origins: \(origin) must be scheme://host[:port] (http or https, no path)")
        }
    }

    /// `http(s)://host[:port]` with nothing a CSP header could be broken with.
    static func isOrigin(_ string: String) -> Bool {
        guard let url = URL(string: string), let scheme = url.scheme, ["http", "https"].contains(scheme),
              url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil else { return false }
        return string.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ":/.-[]_".contains($0)) }
    }
}
