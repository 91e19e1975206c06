import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import StreamLyListeners
import StreamLyProtocol

/// Accepts link connections and hands each authenticated one to `onConnection`. A
/// `loopHandler` answers the requests it can on each connection's event loop (no task per
/// request); the others reach the connection's `inbound`. With a
/// `limiter`, connections over its caps (per peer address and in total) are closed as soon as
/// they are accepted; a connection that has not finished its handshake (TLS included) within
/// the endpoint's `handshakeTimeout` is closed.
/// On graceful shutdown it stops accepting, sends GOAWAY to every peer, lets open
/// streams finish for up to `drainTimeout`, then closes.
public final class LinkServer: Service, Sendable {
    public let host: String
    public let port: Int
    let endpoint: LinkEndpointConfiguration
    let tls: NIOSSLContext?
    let drainTimeout: Duration
    let logger: Logger
    let limiter: ConnectionLimiter?
    let loopHandler: LinkLoopHandler?
    let onConnection: @Sendable (LinkConnection) async -> Void
    private let state = NIOLockedValueBox(State())

    struct State {
        var boundPort: Int?
        var connections: [ObjectIdentifier: LinkConnection] = [:]
        var listening = false
    }

    public init(host: String, port: Int, endpoint: LinkEndpointConfiguration, tls: NIOSSLContext? = nil,
                drainTimeout: Duration = .seconds(10), limiter: ConnectionLimiter? = nil,
                loopHandler: LinkLoopHandler? = nil, logger: Logger,
                onConnection: @escaping @Sendable (LinkConnection) async -> Void) {
        self.limiter = limiter
        self.loopHandler = loopHandler
        self.host = host
        self.port = port
        self.endpoint = endpoint
        self.tls = tls
        self.drainTimeout = drainTimeout
        self.logger = logger
        self.onConnection = onConnection
    }

    /// The port actually bound (useful with port 0), once listening.
    public var boundPort: Int? { state.withLockedValue { $0.boundPort } }
    /// Whether the listener is up.
    public var isListening: Bool { state.withLockedValue { $0.listening } }
    /// Runs `onConnection` for every accepted connection until `accepted` ends and all have closed.
    private func serve(_ accepted: AsyncStream<LinkConnection>) async {
        await withDiscardingTaskGroup { group in
            for await connection in accepted {
                let key = ObjectIdentifier(connection)
                state.withLockedValue { $0.connections[key] = connection }
                logger.info("link up", metadata: ["peer": "\(connection.peer.nodeID)", "role": "\(connection.peer.role)"])
                group.addTask {
                    await withTaskGroup(of: Void.self) { inner in
                        inner.addTask { await self.onConnection(connection) }
                        inner.addTask { try? await connection.closeFuture.get() }
                        await inner.waitForAll()
                    }
                    self.state.withLockedValue { _ = $0.connections.removeValue(forKey: key) }
                    self.logger.info("link down", metadata: ["peer": "\(connection.peer.nodeID)"])
                }
            }
        }
    }

    /// Authenticated connections currently open.
    public var connections: [LinkConnection] { state.withLockedValue { Array($0.connections.values) } }

    /// How many authenticated connections are open.
    public var connectionCount: Int { state.withLockedValue { $0.connections.count } }

    public func run() async throws {
        let (accepted, continuation) = AsyncStream.makeStream(of: LinkConnection.self)
        let endpoint = self.endpoint, tls = self.tls, logger = self.logger, limiter = self.limiter
        let loopHandler = self.loopHandler
        let metrics = ListenerMetrics(listener: "link")
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: LinkPipeline.recvAllocator)
            .childChannelInitializer { channel in
                if let limiter, !limiter.admit(channel, metrics: metrics) {
                    return channel.eventLoop.makeFailedFuture(ConnectionRefused(listener: "link"))
                }
                let remote = channel.remoteAddress?.description ?? "unknown"
                LinkPipeline.configure(
                    channel, isInitiator: false, endpoint: endpoint, tls: tls, serverHostname: nil,
                    linkName: "inbound", loopHandler: loopHandler, logger: logger
                ).whenComplete { result in
                    switch result {
                    case .success(let connection): continuation.yield(connection)
                    case .failure(let error):
                        logger.warning("link handshake failed", metadata: ["remote": "\(remote)", "error": "\(error)"])
                    }
                }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: host, port: port).get()
        state.withLockedValue {
            $0.boundPort = listener.localAddress?.port
            $0.listening = true
        }
        logger.info("link listening", metadata: ["address": "\(host):\(listener.localAddress?.port ?? port)"])

        let stop: @Sendable () -> Void = {
            listener.close(promise: nil)
            self.state.withLockedValue { $0.listening = false }
            continuation.finish()
            let open = self.state.withLockedValue { Array($0.connections.values) }
            Task {
                await withDiscardingTaskGroup { group in
                    for connection in open {
                        group.addTask { await connection.drainAndClose(reason: "origin shutting down", timeout: self.drainTimeout) }
                    }
                }
            }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await serve(accepted)
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
        try? await listener.close()
    }
}
