import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Opens one chat client: TCP connect, `GET /ws` upgrade (RFC 6455 §4.1), then hands
/// the channel to a `ChatConnectionHandler` on the driver's event loop. A plain NIO
/// pipeline rather than an async WebSocket client: per connection it costs one channel
/// and three handlers, and delivery never leaves the event loop.
enum ChatWebSocket {
    enum Upgrade: Sendable {
        case upgraded(channel: any Channel, ready: EventLoopFuture<Void>)
        case refused
    }

    /// How long one connection took.
    struct Timing: Sendable {
        /// Start → WebSocket upgrade answered (TCP handshake + HTTP 101).
        var upgrade: UInt64
        /// Start → `subscribed` (adds `auth` and `subscribe`, both answered by the edge).
        var ready: UInt64
    }

    static let maxFrameBytes = 1 << 20

    static func open(_ spec: ChatConnectionSpec, edge: EdgeAddress, driver: ChatLoopDriver,
                     timeout: TimeAmount) async throws -> Timing {
        let start = nowNanos()
        let upgrade = try await ClientBootstrap(group: driver.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .connect(host: edge.host, port: edge.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: upgradeConfiguration(spec, edge: edge, driver: driver)))
                }
            }
        guard case .upgraded(let channel, let ready) = try await upgrade.get() else {
            throw ChatConnectionError(reason: "\(edge) refused the WebSocket upgrade")
        }
        let upgraded = nowNanos()
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        do {
            try await ready.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return Timing(upgrade: upgraded - start, ready: nowNanos() - start)
    }

    private static func upgradeConfiguration(_ spec: ChatConnectionSpec, edge: EdgeAddress, driver: ChatLoopDriver)
        -> NIOTypedHTTPClientUpgradeConfiguration<Upgrade>
    {
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameBytes) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                let ready = channel.eventLoop.makePromise(of: Void.self)
                try channel.pipeline.syncOperations.addHandler(
                    NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64,
                                                maxAccumulatedFrameSize: maxFrameBytes))
                try channel.pipeline.syncOperations.addHandler(
                    ChatConnectionHandler(spec: spec, driver: driver, ready: ready))
                return Upgrade.upgraded(channel: channel, ready: ready.futureResult)
            }
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: edge.authority)
        headers.add(name: "Content-Length", value: "0")
        return NIOTypedHTTPClientUpgradeConfiguration(
            upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/ws", headers: headers),
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.close(promise: nil)
                return channel.eventLoop.makeSucceededFuture(.refused)
            })
    }
}
