import StreamLyLink
import StreamLyProtocol
import StreamLyRetry
import StreamLyConfig
import StreamLySFU

/// Everything an edge needs at start-up, built once from file + environment
/// (see `docs/configuration.md`).
public struct EdgeConfiguration: Sendable {
    public var nodeID: String
    /// Public HTTP listener, also serving /healthz, /readyz, /metrics (default 127.0.0.1:8080).
    public var httpHost: String
    public var httpPort: Int
    /// Origins to link to, `host:port` each.
    public var origins: [LinkPool.Address]
    public var clusterSecret: String
    public var linkTLS: LinkTLSConfiguration?
    /// Flow control, frame size and heartbeat announced to origins.
    public var linkSettings: LinkSettings
    /// Redis for presence and typing (`redis.url`).
    public var redisURL: String
    /// HMAC key of access tokens (`auth.jwt.secret`), the same as the origins'.
    public var jwtSecret: String
    /// Limits on WebSocket clients.
    public var gateway: GatewayLimits
    /// Reconnect backoff towards origins.
    public var backoff: RetryPolicy
    /// Video uploads (tus): size limit and public URL.
    public var upload: UploadLimits
    /// The TLS listener (HTTP/2 + HTTP/1.1 by ALPN).
    public var https: HTTPSConfiguration
    /// Connection caps and timeouts of the public HTTP and HTTPS listeners.
    public var listeners = ListenerLimits()
    /// HMAC key of HLS playback tokens (`auth.playback.secret`), the same as the origins'.
    public var playbackSecret: String
    /// The HLS object cache.
    public var vodCache: VODCacheConfiguration
    /// How long in-flight work may run on shutdown.
    public var drainTimeout: Duration
    public var logLevel: String
    /// The operator listener (`operator.host`, `operator.port`): `/readyz` and `/metrics`,
    /// kept off the public listeners.
    public var operatorHost = "127.0.0.1"
    public var operatorPort = 9090
    /// Limits of each call (`rtc.limits.*`, `rtc.publisher.max.bitrate`).
    public var callLimits = CallLimits()
    /// The WebRTC media server (`rtc.enabled`, `rtc.host`, `rtc.port`, `rtc.announced.ips`); nil
    /// runs the edge without calls.
    public var media: MediaServerConfiguration? = MediaServerConfiguration()
    /// The edge-to-edge relay of calls (`rtc.relay.*`); nil (the default) runs without cascade.
    public var relay: RelayConfiguration?
    /// Region, public addresses, client prefixes and the edge directory (`region`, `route.*`,
    /// `directory.*`, `public.https.url`, `rtc.redirect`).
    public var regions = RegionConfiguration()
    /// The web app served at `/` (`web.*`).
    public var web = WebAppConfiguration()
    /// Per-client-IP rates of the account endpoints (`auth.ip.*`).
    var authRates = AuthRateLimits.Settings()
    /// How long a user whose last connection closed stays online to others (`presence.offline.grace.ms`).
    var presenceOfflineGrace: Duration = .seconds(2)
    /// What the node logs at start about running in development mode (`init(_:development:)`).
    public var startupWarnings: [String] = []

    public init(nodeID: String = NodeIdentity.defaultNodeID(prefix: "edge"), httpHost: String = "127.0.0.1",
                httpPort: Int = 8080, origins: [LinkPool.Address] = [LinkPool.Address(host: "127.0.0.1", port: 7000)],
                clusterSecret: String = NodeIdentity.developmentSecret, linkTLS: LinkTLSConfiguration? = nil,
                linkSettings: LinkSettings = LinkSettings(), redisURL: String = "redis://127.0.0.1:16379",
                jwtSecret: String = NodeIdentity.developmentJWTSecret, gateway: GatewayLimits = GatewayLimits(),
                backoff: RetryPolicy = .linkReconnect, upload: UploadLimits = UploadLimits(),
                https: HTTPSConfiguration = HTTPSConfiguration(),
                playbackSecret: String = NodeIdentity.developmentPlaybackSecret,
                vodCache: VODCacheConfiguration = VODCacheConfiguration(),
                drainTimeout: Duration = .seconds(10),
                logLevel: String = "info") {
        self.nodeID = nodeID
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.origins = origins
        self.clusterSecret = clusterSecret
        self.linkTLS = linkTLS
        self.linkSettings = linkSettings
        self.redisURL = redisURL
        self.jwtSecret = jwtSecret
        self.gateway = gateway
        self.backoff = backoff
        self.upload = upload
        self.https = https
        self.playbackSecret = playbackSecret
        self.vodCache = vodCache
        self.drainTimeout = drainTimeout
        self.logLevel = logLevel
    }

    static func gatewayLimits(_ values: ConfigValues) throws -> GatewayLimits {
        var limits = GatewayLimits()
        limits.maxFrameBytes = try values.int("ws.max.frame", default: limits.maxFrameBytes, range: 1_024...1 << 20)
        limits.sendBufferBytes = try values.int("ws.send.buffer", default: limits.sendBufferBytes, range: 16_384...64 << 20)
        limits.opsPerSecond = Double(try values.int("ws.ops.per.second", default: Int(limits.opsPerSecond), range: 1...100_000))
        limits.opsBurst = Double(try values.int("ws.ops.burst", default: Int(limits.opsBurst), range: 1...100_000))
        limits.publishesPerSecondPerUser = Double(try values.int("ws.publishes.per.second", default: Int(limits.publishesPerSecondPerUser), range: 1...100_000))
        limits.publishBurstPerUser = Double(try values.int("ws.publishes.burst", default: Int(limits.publishBurstPerUser), range: 1...100_000))
        limits.maxQueuedRequests = try values.int("ws.queue.max", default: limits.maxQueuedRequests, range: 1...100_000)
        limits.authTimeout = .seconds(try values.int("ws.auth.timeout", default: 10, range: 1...600))
        limits.rtcOpsPerSecond = Double(try values.int("rtc.ops.per.second", default: Int(limits.rtcOpsPerSecond), range: 1...10_000))
        limits.rtcOpsBurst = Double(try values.int("rtc.ops.burst", default: Int(limits.rtcOpsBurst), range: 1...10_000))
        return limits
    }

    static func listenerLimits(_ values: ConfigValues) throws -> ListenerLimits {
        var limits = ListenerLimits()
        limits.connections = try values.connectionLimits("connections", default: limits.connections)
        limits.headerTimeout = .seconds(try values.int("http.header.timeout", default: 10, range: 1...3_600))
        limits.idleTimeout = .seconds(try values.int("http.idle.timeout", default: 60, range: 1...86_400))
        limits.tlsHandshakeTimeout = .seconds(try values.int("https.handshake.timeout", default: 10, range: 1...3_600))
        limits.writeTimeout = .seconds(try values.int("http.write.timeout", default: 30, range: 1...3_600))
        return limits
    }

    static func https(_ values: ConfigValues) throws -> HTTPSConfiguration {
        let defaults = HTTPSConfiguration()
        let https = HTTPSConfiguration(
            enabled: try values.bool("https.enabled", default: defaults.enabled),
            host: values.string("https.host", default: defaults.host),
            port: try values.int("https.port", default: defaults.port, range: 0...65_535),
            certificatePath: values.optionalString("https.cert"),
            keyPath: values.optionalString("https.key"),
            stateDirectory: values.string("https.state.dir", default: defaults.stateDirectory))
        guard (https.certificatePath == nil) == (https.keyPath == nil) else {
            throw ConfigurationError("configuration https.cert and https.key must be given together")
        }
        return https
    }

    static func vodCache(_ values: ConfigValues) throws -> VODCacheConfiguration {
        let defaults = VODCacheConfiguration()
        return VODCacheConfiguration(
            memoryBytes: try values.int("vod.cache.memory.bytes", default: defaults.memoryBytes, range: 0...(1 << 40)),
            directory: values.values["vod.cache.dir"].map { $0.isEmpty ? nil : $0 } ?? defaults.directory,
            diskBytes: try values.int("vod.cache.disk.bytes", default: defaults.diskBytes, range: 0...(1 << 50)),
            maxObjectBytes: try values.int("vod.cache.object.max.bytes", default: defaults.maxObjectBytes, range: 1...(1 << 32)),
            negativeTTL: .milliseconds(try values.int("vod.cache.negative.ttl.ms", default: 5_000, range: 0...3_600_000)),
            playlistTTL: .seconds(try values.int("vod.cache.playlist.ttl", default: 60, range: 0...86_400)))
    }

    /// The configuration from `values`; outside `development` (`--dev`) it refuses the
    /// built-in secrets and a link without TLS to an origin that is not on loopback.
    public init(_ values: ConfigValues, development: Bool = false) throws {
        let defaults = EdgeConfiguration()
        let originStrings = values.list("origins", default: defaults.origins.map(\.description))
        let origins = try originStrings.map { string in
            guard let address = LinkPool.Address(string) else {
                throw ConfigurationError("origin address \(string) must be host:port")
            }
            return address
        }
        guard !origins.isEmpty else { throw ConfigurationError("at least one origin is required") }
        self.init(
            nodeID: values.string("node.id", default: defaults.nodeID),
            httpHost: values.string("http.host", default: defaults.httpHost),
            httpPort: try values.int("http.port", default: defaults.httpPort, range: 0...65_535),
            origins: origins,
            clusterSecret: values.optionalString("cluster.secret") ?? defaults.clusterSecret,
            linkTLS: try values.linkTLS(),
            linkSettings: try values.linkSettings(),
            redisURL: values.string("redis.url", default: defaults.redisURL),
            jwtSecret: values.optionalString("auth.jwt.secret") ?? defaults.jwtSecret,
            gateway: try Self.gatewayLimits(values),
            backoff: RetryPolicy(
                base: .milliseconds(try values.int("link.backoff.base.ms", default: 100, range: 1...60_000)),
                cap: .milliseconds(try values.int("link.backoff.max.ms", default: 10_000, range: 1...600_000))
            ),
            upload: try UploadLimits(values),
            https: try Self.https(values),
            playbackSecret: values.optionalString("auth.playback.secret") ?? defaults.playbackSecret,
            vodCache: try Self.vodCache(values),
            drainTimeout: .seconds(try values.int("drain.timeout", default: 10, range: 0...3_600)),
            logLevel: values.string("log.level", default: defaults.logLevel)
        )
        operatorHost = values.string("operator.host", default: defaults.operatorHost)
        listeners = try Self.listenerLimits(values)
        operatorPort = try values.int("operator.port", default: defaults.operatorPort, range: 0...65_535)
        callLimits = CallLimits(
            maxParticipants: try values.int("rtc.limits.participants", default: defaults.callLimits.maxParticipants, range: 1...1_000),
            maxTracksPerParticipant: try values.int("rtc.limits.tracks", default: defaults.callLimits.maxTracksPerParticipant, range: 1...16),
            publisherMaxBitrate: UInt64(try values.int("rtc.publisher.max.bitrate", default: Int(defaults.callLimits.publisherMaxBitrate),
                                                       range: 100_000...50_000_000)))
        media = try values.bool("rtc.enabled", default: true) ? try MediaServerConfiguration(values) : nil
        let relayEnabled = try values.bool("rtc.relay.enabled", default: false)
        relay = media != nil && relayEnabled ? try RelayConfiguration(values) : nil
        web = try WebAppConfiguration(values)
        regions = try RegionConfiguration(values)
        authRates = try AuthRateLimits.Settings(values)
        presenceOfflineGrace = .milliseconds(try values.int("presence.offline.grace.ms", default: 2_000, range: 0...60_000))
        startupWarnings = try DeploymentSafety.check(
            clusterSecret: clusterSecret, jwtSecret: jwtSecret, playbackSecret: playbackSecret,
            linkHosts: origins.map(\.host), linkTLS: linkTLS != nil, values: values, development: development)
    }
}
