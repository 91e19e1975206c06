/// What a node refuses to start with outside development mode (`--dev`): the built-in
/// development secrets (anyone could forge access and playback tokens and join the link as
/// an edge), and an unencrypted link to or from a host that is not on loopback.
public enum DeploymentSafety {
    /// A secret of the configuration and the built-in value it falls back to.
    public struct Secret: Sendable {
        /// The configuration key (`cluster.secret`); its environment variable is derived.
        public var key: String
        public var value: String
        public var builtIn: String
        public init(key: String, value: String, builtIn: String) {
            self.key = key
            self.value = value
            self.builtIn = builtIn
        }

        /// `STREAMLY_CLUSTER_SECRET` for `cluster.secret`.
        public var environmentName: String {
            "STREAMLY_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
        }
    }

    /// Both checks for a node with the three shared secrets and a link to or from
    /// `linkHosts`; returns the warnings to log at start (development mode only).
    public static func check(clusterSecret: String, jwtSecret: String, playbackSecret: String, linkHosts: [String],
                             linkTLS: Bool, values: ConfigValues, development: Bool) throws -> [String] {
        let warnings = try checkSecrets([
            Secret(key: "cluster.secret", value: clusterSecret, builtIn: NodeIdentity.developmentSecret),
            Secret(key: "auth.jwt.secret", value: jwtSecret, builtIn: NodeIdentity.developmentJWTSecret),
            Secret(key: "auth.playback.secret", value: playbackSecret, builtIn: NodeIdentity.developmentPlaybackSecret),
        ], development: development)
        try checkLinkTransport(hosts: linkHosts, tls: linkTLS,
                               insecureAllowed: try values.bool("link.insecure.allowed", default: false), development: development)
        return warnings
    }

    /// Refuses built-in secrets unless `development`; returns what to warn about instead.
    public static func checkSecrets(_ secrets: [Secret], development: Bool) throws -> [String] {
        let builtIn = secrets.filter { $0.value == $0.builtIn }
        guard !builtIn.isEmpty else { return [] }
        let names = builtIn.map { "\($0.key) (\($0.environmentName))" }.joined(separator: ", ")
        guard development else {
            throw ConfigurationError("""
                \(names) not configured: the built-in development values are public, so anyone could forge \
                tokens or join the link. Set them (at least 32 random bytes each, the same on every node), \
                or start with --dev for a local run.
                """)
        }
        return ["development mode: using the built-in \(names); never expose this node"]
    }

    /// Refuses a link without TLS to or from any of `hosts` that is not on loopback, unless
    /// `link.insecure.allowed` says the network is trusted (or in development mode).
    public static func checkLinkTransport(hosts: [String], tls: Bool, insecureAllowed: Bool, development: Bool) throws {
        guard !tls, !insecureAllowed, !development else { return }
        let exposed = hosts.filter { !isLoopback($0) }
        guard exposed.isEmpty else {
            throw ConfigurationError("""
                the link to or from \(exposed.joined(separator: ", ")) is not on loopback and has no TLS: set \
                link.tls.enabled=true (docs/configuration.md, "Link TLS"), or link.insecure.allowed=true on a \
                network you trust
                """)
        }
    }

    /// 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
