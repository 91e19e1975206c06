import StreamLyConfig

/// Where this edge is and how it takes part in the edge directory (`region`, `public.url`,
/// `public.https.url`, `route.prefixes`, `directory.*`, `rtc.redirect`; docs/configuration.md,
/// "Regions and the edge directory").
public struct RegionConfiguration: Sendable {
    /// This edge's region (`region`).
    public var region: String
    /// Public base URLs announced to the directory; nil: derived from the listener when it is
    /// bound to one address, else not announced.
    public var httpURL: String?
    public var httpsURL: String?
    /// Client address prefixes → region (`route.prefixes`).
    public var prefixes: ClientPrefixes
    /// How often the edge announces itself (`directory.announce.ms`).
    public var announceInterval: Duration
    /// How long an announcement lives (`directory.ttl.ms`): a dead edge leaves every view within it.
    public var ttl: Duration
    /// Whether `rtc.join` answers with a better edge for the client (`rtc.redirect`).
    public var redirectJoins: Bool

    public init(region: String = "default", httpURL: String? = nil, httpsURL: String? = nil,
                prefixes: ClientPrefixes = ClientPrefixes(), announceInterval: Duration = .seconds(1),
                ttl: Duration = .seconds(3), redirectJoins: Bool = true) {
        self.region = region
        self.httpURL = httpURL
        self.httpsURL = httpsURL
        self.prefixes = prefixes
        self.announceInterval = announceInterval
        self.ttl = ttl
        self.redirectJoins = redirectJoins
    }

    init(_ values: ConfigValues) throws {
        let region = values.string("region", default: "default")
        guard RegionName.isValid(region) else {
            throw ConfigurationError("configuration region=\(region) must be 1-64 of A-Za-z0-9._-")
        }
        let httpsURL = values.optionalString("public.https.url").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if let httpsURL, !httpsURL.hasPrefix("https://") || httpsURL.utf8.count > 255 {
            throw ConfigurationError("configuration public.https.url=\(httpsURL) must be an https:// URL of at most 255 bytes")
        }
        let prefixes: ClientPrefixes
        do {
            prefixes = try ClientPrefixes(values.list("route.prefixes", default: []))
        } catch {
            throw ConfigurationError("configuration \(error.description)")
        }
        let interval = try values.int("directory.announce.ms", default: 1_000, range: 100...10_000)
        let ttl = try values.int("directory.ttl.ms", default: 3_000, range: 1_000...60_000)
        guard ttl >= 2 * interval else {
            throw ConfigurationError("configuration directory.ttl.ms=\(ttl) must be at least twice directory.announce.ms=\(interval)")
        }
        self.init(region: region, httpURL: values.optionalString("public.url").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
                  httpsURL: httpsURL, prefixes: prefixes, announceInterval: .milliseconds(interval), ttl: .milliseconds(ttl),
                  redirectJoins: try values.bool("rtc.redirect", default: true))
    }

    /// `scheme://host:port` of a listener bound to one address (nil for a wildcard bind).
    static func listenerURL(scheme: String, host: String, port: Int) -> String? {
        guard host != "0.0.0.0", host != "::", !host.isEmpty, port > 0 else { return nil }
        return "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
