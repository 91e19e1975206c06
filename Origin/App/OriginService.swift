import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StreamLyLink
import StreamLyListeners
import StreamLyProtocol
import StreamLyOriginNative
import StreamLyStore
import Synchronization
import StreamLyConfig
import StreamLyOperator

/// Assembles an origin: PostgreSQL (migrated at start), the chat pipeline on Kafka,
/// the inter-tier listener and the operator HTTP port, run as one service group
/// with graceful shutdown on SIGTERM/SIGINT.
public struct OriginService: Sendable {
    public let configuration: OriginConfiguration
    let logger: Logger

    public init(configuration: OriginConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The link server, once built (the fan-out needs its connections).
    private final class ServerRef: Sendable {
        let server = Mutex<LinkServer?>(nil)
        var connections: [LinkConnection] { server.withLock { $0?.connections ?? [] } }
    }

    public func run() async throws {
        let registry = OperatorEndpoints.bootstrapMetrics()
        for warning in configuration.startupWarnings { logger.warning("\(warning)") }
        let tls = try configuration.linkTLS.map { try $0.makeServerContext() }
        let authenticator = try ClusterSecretAuthenticator(
            secret: configuration.clusterSecret,
            alsoAcceptMutualTLS: configuration.linkTLS?.requireClientCertificate ?? false
        )
        let endpoint = LinkEndpointConfiguration(
            nodeID: configuration.nodeID, role: .origin, authenticator: authenticator, settings: configuration.linkSettings)
        let serverRef = ServerRef()
        let infrastructure = try await Infrastructure.make(configuration: configuration, logger: logger)
        let edges: @Sendable () -> [LinkConnection] = { serverRef.connections }
        let attachments = AttachmentRouter(
            attachments: AttachmentStore(database: infrastructure.database), channels: ChannelStore(database: infrastructure.database),
            store: infrastructure.objects, settings: configuration.attachments,
            quota: AttachmentStore.Quota(pending: Int64(configuration.quotas.pendingAttachmentsPerUser),
                                         bytes: configuration.quotas.attachmentBytesPerUser))
        let chat = try ChatFeature.make(infrastructure, attachments: attachments, edges: edges, logger: logger)
        let video = try VideoFeature.make(infrastructure, edges: edges, logger: logger)
        let router = OriginLinkRouter(nodeID: configuration.nodeID, accounts: try await AccountsRouter.make(infrastructure),
                                      chat: chat.router, attachments: attachments, video: video,
                                      directory: EdgeDirectoryRouter(edges: EdgeStore(database: infrastructure.database)),
                                      logger: logger)
        let linkServer = LinkServer(
            host: configuration.linkHost, port: configuration.linkPort, endpoint: endpoint, tls: tls,
            drainTimeout: configuration.drainTimeout, limiter: ConnectionLimiter(limits: configuration.linkConnections),
            loopHandler: LinkDiagnostics.loopHandler(nodeID: configuration.nodeID), logger: logger
        ) { connection in
            await router.serve(connection)
        }
        serverRef.server.withLock { $0 = linkServer }
        let vodTopics = VODTopics(namespace: configuration.kafkaNamespace)
        let probeTopic = "\(configuration.kafkaNamespace).health"
        let chatService = OriginChatService(
            database: infrastructure.database, chat: chat, producer: infrastructure.producer,
            topics: configuration.kafkaTopics.topics(chat.topicNames + [vodTopics.jobs, vodTopics.events, probeTopic],
                                                     transport: chat.transportTopicNames),
            probeTopic: probeTopic, brokers: configuration.kafkaBrokers, logger: logger)

        let http = Router()
        OperatorEndpoints.register(on: http, registry: registry) {
            ReadinessReport(checks: [
                .init(name: "link-listener", ok: linkServer.isListening,
                      detail: "\(configuration.linkHost):\(linkServer.boundPort ?? configuration.linkPort)"),
                .init(name: "postgres", ok: await infrastructure.databaseReady()),
                .init(name: "migrations", ok: chatService.isMigrated),
                .init(name: "kafka-producer", ok: infrastructure.producer.isUsable),
                .init(name: "kafka-topics", ok: chatService.areTopicsCreated),
                // Events are fanned out from "now on": before this, a message would reach no edge.
                .init(name: "chat-fanout", ok: chat.fanoutConsumer.isAssigned),
            ])
        }
        let operatorApp = Application(
            router: http,
            configuration: .init(address: .hostname(configuration.operatorHost, port: configuration.operatorPort),
                                 serverName: "streamly-origin"),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: infrastructure.database),
                    .init(service: chatService),
                    .init(service: OriginVideoService(video: video)),
                    .init(service: AbandonedUploadSweeper(
                        videos: video.videos, attachments: AttachmentStore(database: infrastructure.database),
                        objects: infrastructure.objects, finisher: video.uploads.finisher, settings: configuration.quotas,
                        logger: logger)),
                    .init(service: linkServer),
                    .init(service: operatorApp),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        logger.info("origin starting", metadata: ["node": "\(configuration.nodeID)"])
        try await group.run()
    }
}
