import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StreamLyAPI
import StreamLyEdgeDirectory
import StreamLyLink
import StreamLyProtocol
import StreamLyRedis
import StreamLySFU
import StreamLyTokens
import Synchronization
import StreamLyConfig
import StreamLyListeners
import StreamLyOperator

/// Assembles an edge: links to the origins, Redis presence, and the public HTTP
/// listener (REST, WebSocket, operator endpoints), run as one service group. On
/// SIGTERM WebSocket clients get 1001 (reconnect elsewhere), the HTTP listener stops
/// and finishes in-flight requests, then the links drain (GOAWAY) and close.
public struct EdgeService: Sendable {
    public let configuration: EdgeConfiguration
    let logger: Logger

    public init(configuration: EdgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let registry = OperatorEndpoints.bootstrapMetrics()
        for warning in configuration.startupWarnings { logger.warning("\(warning)") }
        let tls = try configuration.linkTLS.map { try $0.makeClientContext() }
        let authenticator = try ClusterSecretAuthenticator(
            secret: configuration.clusterSecret,
            alsoAcceptMutualTLS: configuration.linkTLS?.certificatePath != nil
        )
        let endpoint = LinkEndpointConfiguration(
            nodeID: configuration.nodeID, role: .edge, authenticator: authenticator, settings: configuration.linkSettings)
        let logger = self.logger
        let hubRef = HubRef()
        let watchers = VideoWatchers()
        let revocations = VODRevocations()
        let cacheRef = VODCacheRef()
        let pool = LinkPool(
            addresses: configuration.origins, endpoint: endpoint, tls: tls, backoff: configuration.backoff, logger: logger
        ) { inbound, _ in
            switch inbound {
            case .request(let request):
                request.responder.reset(.refusedStream, reason: "edges serve no requests from origins")
            case .message(let message) where message.topic == ChatLink.Topic.message:
                guard let channel = message.metadata[ChatLink.Metadata.channel],
                      let seq = message.metadata[ChatLink.Metadata.seq].flatMap(Int64.init) else { return }
                hubRef.hub?.received(channel: channel, seq: seq, event: message.payload)
            case .message(let message) where message.topic == VODLink.Topic.video:
                guard let video = message.metadata[VODLink.Metadata.video] else { return }
                if let event = try? JSONDecoder().decode(API.VideoEvent.self, from: Data(message.payload.readableBytesView)),
                   event.status == .deleted {
                    // Deleted by its owner: refuse its tokens at once, then drop what is cached.
                    revocations.revoke(video)
                    Task { await cacheRef.cache?.purge(videoID: video) }
                }
                watchers.received(video: video, event: message.payload)
            case .message(let message):
                logger.debug("origin message", metadata: ["topic": "\(message.topic)"])
            }
        }
        let origin = OriginClient(pool: pool)
        let hub = ChatHub { channel, after, before in
            try? await origin.gap(channel: channel, after: after, before: before)
        }
        hubRef.hub = hub
        let verifier = JWTVerifier(codec: try await AccessTokenCodec(signingKey: Array(configuration.jwtSecret.utf8)))
        let presence = RedisPresence(
            redis: try RedisClient(url: configuration.redisURL, logger: logger),
            subscriber: try RedisSubscriber(url: configuration.redisURL, logger: logger),
            edgeID: configuration.nodeID, timing: RedisPresence.Timing(offlineGrace: configuration.presenceOfflineGrace),
            hub: hub, logger: logger)
        // Calls: the media server (one UDP port) and the calls over its transports.
        let loops = MultiThreadedEventLoopGroup.singleton
        let mediaServer = try configuration.media.map { try MediaServer(configuration: $0, group: loops, logger: logger) }
        let calls = mediaServer.map { server in
            CallService(registry: CallRegistry(group: loops, limits: configuration.callLimits)) { loop in
                (server.makeTransport(on: loop), server.makeTransport(on: loop))
            }
        }
        // Cascade: the relay socket linking this edge's calls to the same calls on other edges.
        let relay = try calls.flatMap { calls in
            try configuration.relay.map { relayConfiguration in
                try CallRelay(server: RelayServer(configuration: relayConfiguration, clusterSecret: configuration.clusterSecret,
                                                  group: loops, logger: logger),
                              registry: calls.registry)
            }
        }
        // The edge directory: this edge announces itself; routing and the cascade read the others.
        let regions = configuration.regions
        let directory = EdgeDirectory(localID: configuration.nodeID, region: regions.region)
        let httpURL = regions.httpURL ?? configuration.upload.publicURL
            ?? RegionConfiguration.listenerURL(scheme: "http", host: configuration.httpHost, port: configuration.httpPort)
        let httpsURL = regions.httpsURL ?? (configuration.https.enabled
            ? RegionConfiguration.listenerURL(scheme: "https", host: configuration.https.host, port: configuration.https.port) : nil)
        let router = EdgeRouter(directory: directory, configuration: regions)
        let gateway = Gateway(limits: configuration.gateway, verifier: verifier, origin: origin, hub: hub,
                              presence: presence, watchers: watchers, calls: calls, logger: logger,
                              directory: directory, edgeRouter: router)
        let announcer = EdgeAnnouncer(
            directory: directory, pool: pool, configuration: regions, httpURL: httpURL, httpsURL: httpsURL,
            webrtc: { mediaServer?.candidates.map { "\($0.transport.lowercased()) \($0.address):\($0.port)" } ?? [] },
            connections: { gateway.sessionCount }, logger: logger)

        // Pages served by any edge the directory lists (also after it is gone) may call REST here.
        let edgeOrigins = KnownEdgeOrigins(directory.edges())
        _ = directory.observe { edgeOrigins.learn(directory.edges()) }

        // Every GET route also answers HEAD (the GET's status and headers, Content-Length
        // included, no body); routes with a HEAD of their own (HLS, tus) keep it.
        let httpRouter = Router(context: EdgeRequestContext.self, options: .autoGenerateHeadEndpoints)
        OperatorEndpoints.registerHealth(on: httpRouter)
        let operatorRouter = Router()
        OperatorEndpoints.register(on: operatorRouter, registry: registry) {
            ReadinessReport(checks: pool.status.map { member in
                .init(name: "origin \(member.address)", ok: member.state == .up,
                      detail: member.lastError.map { "\(member.state.rawValue): \($0)" } ?? member.state.rawValue)
            } + [.init(name: "redis", ok: presence.redis.isConnected)]
              + (mediaServer.map { [.init(name: "rtc udp", ok: $0.isReady, detail: $0.isReady ? "bound" : "not bound")] } ?? [])
              + (relay.map { [.init(name: "rtc relay", ok: $0.server.isReady, detail: $0.server.isReady ? "bound" : "not bound")] } ?? []))
        }
        RESTRoutes(origin: origin, verifier: verifier, presence: presence,
                   limits: AuthRateLimits(configuration.authRates), edgeRouter: router,
                   edgeOrigins: edgeOrigins).register(on: httpRouter)
        RegionRoutes(router: router).register(on: httpRouter)
        operatorRouter.get("directory") { _, _ in JSONBody.response(DirectoryReport(directory)) }
        if configuration.web.enabled {
            let assets = try WebAssets(
                root: try WebAssets.locateRoot(configured: configuration.web.root),
                videojs: try WebAssets.locateVideojs(configured: configuration.web.videojsDirectory))
            WebAppRoutes(assets: assets, cspOrigins: configuration.web.cspOrigins, edges: { directory.edges() }).register(on: httpRouter)
            logger.info("web app", metadata: ["assets": "/assets/\(assets.hash)", "files": "\(assets.files.count)",
                                              "videojs": "\(assets.vendorHash.map { "/vendor/\($0)" } ?? "absent: native HLS only")"])
        }
        TusRoutes(pool: pool, verifier: verifier, limits: configuration.upload, edgeRouter: router).register(on: httpRouter)
        let vodCache = try VODCache(
            configuration: configuration.vodCache,
            fetcher: OriginObjectFetcher(pool: pool, maxBytes: configuration.vodCache.maxObjectBytes))
        cacheRef.cache = vodCache
        HLSRoutes(cache: vodCache, tokens: try PlaybackTokenCodec(key: Array(configuration.playbackSecret.utf8)),
                  playlistMaxAge: Int(configuration.vodCache.playlistTTL.components.seconds),
                  revocations: revocations).register(on: httpRouter)
        // Public listeners: connection caps shared by HTTP and HTTPS (the total fitted to the
        // open-file limit), the request-head deadline, idle and TLS-handshake timeouts.
        let listenerLimits = configuration.listeners
        let (connectionLimits, lowered) = listenerLimits.connections(openFileLimit: ListenerLimits.openFileLimit())
        if let lowered { logger.warning("\(lowered)") }
        let limiter = ConnectionLimiter(limits: connectionLimits)
        let http1Configuration = HTTP1Channel.Configuration(idleTimeout: TimeAmount(listenerLimits.idleTimeout))
        let httpMetrics = ListenerMetrics(listener: "http")
        let http = Application(
            router: httpRouter,
            server: HTTPServerBuilder { responder in
                LimitedChildChannel(
                    base: GatewayHTTP1Channel(responder: RequestHeadArrived.responder(responder), gateway: gateway,
                                              configuration: http1Configuration),
                    limiter: limiter, metrics: httpMetrics, headerTimeout: listenerLimits.headerTimeout,
                    writeTimeout: listenerLimits.writeTimeout)
            },
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort),
                                 serverName: "streamly-edge"),
            onServerRunning: { _ in logger.info("edge listening", metadata: ["port": "\(configuration.httpPort)"]) },
            logger: logger
        )
        let operatorListener = Application(
            router: operatorRouter,
            configuration: .init(address: .hostname(configuration.operatorHost, port: configuration.operatorPort),
                                 serverName: "streamly-edge-operator"),
            onServerRunning: { channel in
                logger.info("edge operator listening", metadata: ["port": "\(channel.localAddress?.port ?? configuration.operatorPort)"])
            },
            logger: logger
        )
        var listeners: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: http), .init(service: operatorListener)]
        if configuration.https.enabled {
            let certificate = try HTTPSCertificate.load(configuration.https, logger: logger)
            let sslContext = try ALPNServerChannel.makeContext(chain: certificate.chain, key: certificate.key)
            let httpsMetrics = ListenerMetrics(listener: "https")
            let http2Configuration = HTTP2Channel.Configuration(
                idleTimeout: listenerLimits.idleTimeout,
                streamConfiguration: .init(idleTimeout: TimeAmount(listenerLimits.idleTimeout)))
            let https = Application(
                router: httpRouter,
                server: HTTPServerBuilder { responder in
                    let responder = RequestHeadArrived.responder(responder)
                    return LimitedChildChannel(
                        base: ALPNServerChannel(
                            sslContext: sslContext,
                            http1: GatewayHTTP1Channel(responder: responder, gateway: gateway, configuration: http1Configuration),
                            http2: HTTP2Channel(responder: responder, configuration: http2Configuration),
                            handshakeTimeout: listenerLimits.tlsHandshakeTimeout, metrics: httpsMetrics),
                        limiter: limiter, metrics: httpsMetrics, headerTimeout: listenerLimits.headerTimeout,
                        writeTimeout: listenerLimits.writeTimeout)
                },
                configuration: .init(address: .hostname(configuration.https.host, port: configuration.https.port),
                                     serverName: "streamly-edge"),
                onServerRunning: { channel in
                    logger.info("edge https listening", metadata: [
                        "port": "\(channel.localAddress?.port ?? configuration.https.port)", "alpn": "h2,http/1.1"])
                },
                logger: logger
            )
            listeners.append(.init(service: https))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: pool),
                    .init(service: PresenceService(presence: presence)),
                    .init(service: ChatTailChecks(hub: hub)),
                    .init(service: announcer),
                ] + (mediaServer.map { [.init(service: $0)] } ?? []) + (relay.map { [.init(service: CascadeLinker(relay: $0, directory: directory, logger: logger))] } ?? [])
                  + listeners
                    // Last: a graceful shutdown stops services in reverse order, each after the
                    // previous returned, so calls end and WebSockets get 1001 while the listeners
                    // still run (they close what is left with 1000).
                    + [.init(service: GatewayDrain(gateway: gateway))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("edge starting", metadata: ["node": "\(configuration.nodeID)", "region": "\(regions.region)",
                                                "origins": "\(configuration.origins.map(\.description))"])
        try await group.run()
    }
}
