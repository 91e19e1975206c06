import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StreamLyLink
import StreamLyProtocol

/// Assembles an origin: the inter-tier listener and the operator HTTP port,
/// run as one service group with graceful shutdown on SIGTERM/SIGINT.
public struct OriginService: Sendable {
    public let configuration: OriginConfiguration
    let logger: Logger

    public init(configuration: OriginConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let registry = OperatorEndpoints.bootstrapMetrics()
        if configuration.clusterSecret == NodeIdentity.developmentSecret {
            logger.warning("using the built-in development cluster secret; set STREAMLY_CLUSTER_SECRET in production")
        }
        let tls = try configuration.linkTLS.map { try $0.makeServerContext() }
        let authenticator = try ClusterSecretAuthenticator(
            secret: configuration.clusterSecret,
            alsoAcceptMutualTLS: configuration.linkTLS?.requireClientCertificate ?? false
        )
        let endpoint = LinkEndpointConfiguration(
            nodeID: configuration.nodeID, role: .origin, authenticator: authenticator, settings: configuration.linkSettings)
        let router = OriginLinkRouter(nodeID: configuration.nodeID, logger: logger)
        let linkServer = LinkServer(
            host: configuration.linkHost, port: configuration.linkPort, endpoint: endpoint, tls: tls,
            drainTimeout: configuration.drainTimeout, logger: logger
        ) { connection in
            await router.serve(connection)
        }

        let http = Router()
        OperatorEndpoints.register(on: http, registry: registry) {
            ReadinessReport(checks: [
                .init(name: "link-listener", ok: linkServer.isListening,
                      detail: "\(configuration.linkHost):\(linkServer.boundPort ?? configuration.linkPort)"),
            ])
        }
        let operatorApp = Application(
            router: http,
            configuration: .init(address: .hostname(configuration.operatorHost, port: configuration.operatorPort),
                                 serverName: "streamly-origin"),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [linkServer, operatorApp], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        logger.info("origin starting", metadata: ["node": "\(configuration.nodeID)"])
        try await group.run()
    }
}
