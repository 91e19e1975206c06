import StreamLyConfig
import Testing

@Suite("Deployment safety")
struct DeploymentSafetyTests {
    static let strong = String(repeating: "k", count: 40)

    @Test("built-in secrets are refused outside development mode, and named")
    func builtInSecrets() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try DeploymentSafety.check(clusterSecret: NodeIdentity.developmentSecret, jwtSecret: Self.strong,
                                       playbackSecret: NodeIdentity.developmentPlaybackSecret, linkHosts: ["127.0.0.1"],
                                       linkTLS: false, values: ConfigValues(), development: false)
        }
        #expect(error?.message.contains("cluster.secret (STREAMLY_CLUSTER_SECRET), auth.playback.secret (STREAMLY_AUTH_PLAYBACK_SECRET)") == true)
        #expect(error?.message.contains("auth.jwt.secret") == false)
        let warnings = try DeploymentSafety.check(
            clusterSecret: NodeIdentity.developmentSecret, jwtSecret: Self.strong, playbackSecret: Self.strong,
            linkHosts: ["127.0.0.1"], linkTLS: false, values: ConfigValues(), development: true)
        #expect(warnings.count == 1 && warnings[0].hasPrefix("development mode"))
        #expect(try DeploymentSafety.check(clusterSecret: Self.strong, jwtSecret: Self.strong, playbackSecret: Self.strong,
                                           linkHosts: ["localhost"], linkTLS: false, values: ConfigValues(), development: false).isEmpty)
    }

    @Test("a link without TLS off loopback is refused unless allowed", arguments: [
        ("10.0.0.5", false, [String: String](), true), ("10.0.0.5", true, [:], false), ("10.0.0.5", false, ["link.insecure.allowed": "true"], false),
        ("127.0.0.9", false, [:], false), ("::1", false, [:], false), ("127.example.com", false, [:], true), ("0.0.0.0", false, [:], true),
    ])
    func linkTransport(host: String, tls: Bool, values: [String: String], refused: Bool) throws {
        let check = {
            try DeploymentSafety.check(clusterSecret: Self.strong, jwtSecret: Self.strong, playbackSecret: Self.strong,
                                       linkHosts: [host], linkTLS: tls, values: ConfigValues(values), development: false)
        }
        if refused {
            #expect(throws: ConfigurationError.self) { _ = try check() }
        } else {
            #expect(throws: Never.self) { _ = try check() }
        }
    }
}
