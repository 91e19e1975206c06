import NIOCore
import NIOPosix
import Synchronization

/// One raw TCP connection of an attacker, from a loopback source address of its own
/// (127.0.0.x, so per-address caps hit the attacker and not the well-behaved client on
/// 127.0.0.1). It records when it connected and when the server closed it, and reads and
/// discards whatever arrives.
final class AttackConnection: Sendable {
    let channel: any Channel
    let connectedAt: ContinuousClock.Instant
    private let closedAt = Mutex<ContinuousClock.Instant?>(nil)

    private init(channel: any Channel) {
        self.channel = channel
        self.connectedAt = .now
    }

    /// Connects from `source` to 127.0.0.1:`port`; nil when the connection could not be made
    /// (the kernel's accept queue was full, or it was reset before the handshake finished).
    static func open(from source: String, to port: Int) async -> AttackConnection? {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .bind(to: try SocketAddress(ipAddress: source, port: 0))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Discard()) }
                }
                .connect(host: "127.0.0.1", port: port).get()
            let connection = AttackConnection(channel: channel)
            channel.closeFuture.whenComplete { _ in connection.closedAt.withLock { $0 = .now } }
            return connection
        } catch {
            return nil
        }
    }

    /// Sends `text` (a slowloris drip), ignoring a connection that is gone.
    func send(_ text: String) async {
        try? await channel.writeAndFlush(ByteBuffer(string: text))
    }

    var isClosed: Bool { closedAt.withLock { $0 != nil } }
    /// How long after connecting the server closed it, nil while open.
    var lifetime: Duration? { closedAt.withLock { $0.map { $0 - connectedAt } } }

    func close() { channel.close(promise: nil) }

    private final class Discard: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

extension Array where Element == AttackConnection {
    /// Opens `count` connections from `source`, one after the other.
    static func open(_ count: Int, from source: String, to port: Int) async -> [AttackConnection] {
        var opened: [AttackConnection] = []
        for _ in 0..<count {
            if let connection = await AttackConnection.open(from: source, to: port) { opened.append(connection) }
        }
        return opened
    }

    func closeAll() { for connection in self { connection.close() } }
}
