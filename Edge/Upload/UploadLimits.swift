import StreamLyLink
import StreamLyConfig

/// Video uploads on the edge (`vod.upload.max.bytes`, `public.url`).
public struct UploadLimits: Sendable {
    /// Largest upload accepted (`Tus-Max-Size`); the origins' `vod.upload.max.bytes` should match.
    public var maxBytes: Int64
    /// Base of the `upload_url`s and `Location`s handed out (`public.url`, e.g.
    /// `https://media.example.com`); nil: derived from each request's scheme and Host.
    public var publicURL: String?

    public init(maxBytes: Int64 = 10 << 30, publicURL: String? = nil) {
        self.maxBytes = maxBytes
        self.publicURL = publicURL
    }

    init(_ values: ConfigValues) throws {
        let publicURL = values.optionalString("public.url").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ConfigurationError("configuration public.url=\(publicURL) must start with http:// or https://")
        }
        self.init(maxBytes: Int64(try values.int("vod.upload.max.bytes", default: 10 << 30, range: 0...(5 << 40))),
                  publicURL: publicURL)
    }
}
