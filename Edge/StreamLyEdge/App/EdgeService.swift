import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StreamLyLink
import StreamLyProtocol

/// Assembles an edge: links to the origins and the public HTTP listener, run as
/// one service group. On SIGTERM the HTTP listener stops first and finishes
/// in-flight requests, then the links drain (GOAWAY) and close.
public struct EdgeService: Sendable {
    public let configuration: EdgeConfiguration
    let logger: Logger

    public init(configuration: EdgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let registry = OperatorEndpoints.bootstrapMetrics()
        if configuration.clusterSecret == NodeIdentity.developmentSecret {
            logger.warning("using the built-in development cluster secret; set STREAMLY_CLUSTER_SECRET in production")
        }
        let tls = try configuration.linkTLS.map { try $0.makeClientContext() }
        let authenticator = try ClusterSecretAuthenticator(
            secret: configuration.clusterSecret,
            alsoAcceptMutualTLS: configuration.linkTLS?.certificatePath != nil
        )
        let endpoint = LinkEndpointConfiguration(
            nodeID: configuration.nodeID, role: .edge, authenticator: authenticator, settings: configuration.linkSettings)
        let logger = self.logger
        let pool = LinkPool(
            addresses: configuration.origins, endpoint: endpoint, tls: tls, backoff: configuration.backoff, logger: logger
        ) { inbound, _ in
            switch inbound {
            case .request(let request):
                request.responder.reset(.refusedStream, reason: "edge serves no requests from origins yet")
            case .message(let message):
                logger.debug("origin message", metadata: ["topic": "\(message.topic)"])
            }
        }

        let router = Router()
        OperatorEndpoints.register(on: router, registry: registry) {
            ReadinessReport(checks: pool.status.map { member in
                .init(name: "origin \(member.address)", ok: member.state == .up,
                      detail: member.lastError.map { "\(member.state.rawValue): \($0)" } ?? member.state.rawValue)
            })
        }
        let http = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort),
                                 serverName: "streamly-edge"),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: pool),
                    .init(service: http),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("edge starting", metadata: ["node": "\(configuration.nodeID)",
                                                "origins": "\(configuration.origins.map(\.description))"])
        try await group.run()
    }
}
