import Logging
import NIOCore
import NIOPosix

/// One TCP connection to Redis. Commands from any number of tasks are pipelined on it and
/// answered in order. It does not reconnect: use `RedisClient` for that.
///
/// Pipeline: `ByteToMessageHandler(RESPDecoder)` → `MessageToByteHandler(RESPEncoder)` →
/// `RedisCommandHandler` (reply matching). All handlers stay on the channel's event loop.
public final class RedisConnection: Sendable {
    /// The underlying channel.
    let channel: any Channel
    private let logger: Logger

    private init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
    }

    /// Connects, then authenticates and selects the database as configured.
    ///
    /// - Parameter pushSink: for subscriber connections, receives `message`/`pmessage` pushes
    ///   on the event loop.
    /// - Throws: `RedisError(.connectFailed)`, or `.server` if AUTH or SELECT is refused.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "streamly.redis"),
        pushSink: (@Sendable (RedisPubSubMessage) -> Void)? = nil
    ) async throws -> RedisConnection {
        let maxReplySize = configuration.maxReplySize
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(RESPDecoder(maxReplySize: maxReplySize)),
                        MessageToByteHandler(RESPEncoder()),
                        RedisCommandHandler(pushSink: pushSink)
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RedisError(.connectFailed, "cannot connect to Redis at \(configuration.host):\(configuration.port): \(error)")
        }
        let connection = RedisConnection(channel: channel, logger: logger)
        do {
            try await connection.handshake(configuration)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func handshake(_ configuration: RedisConfiguration) async throws {
        if let password = configuration.password {
            var arguments: [RedisArgument] = ["AUTH"]
            if let username = configuration.username { arguments.append(RedisArgument(username)) }
            arguments.append(RedisArgument(password))
            _ = try await send(arguments)
        }
        if let database = configuration.database {
            _ = try await send(["SELECT", RedisArgument(database)])
        }
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: `RedisError(.server)` with Redis's message for an error reply;
    ///   `.connectionClosed` if the connection is lost first (the command may have run);
    ///   `.protocolError` / `.replyTooLarge` if the server's bytes are unusable.
    public func send(_ arguments: [RedisArgument]) async throws -> RESPValue {
        try await send(arguments, replyCount: 1)
    }

    /// Sends one command and returns its reply.
    public func send(_ arguments: RedisArgument...) async throws -> RESPValue {
        try await send(arguments, replyCount: 1)
    }

    /// Sends a command that produces `replyCount` replies (SUBSCRIBE a b c → 3) and returns the last.
    func send(_ arguments: [RedisArgument], replyCount: Int) async throws -> RESPValue {
        guard !arguments.isEmpty else { throw RedisError(.invalidArgument, "empty command") }
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        let request = RedisCommandHandler.Request(arguments: arguments, replyCount: replyCount, promise: promise)
        channel.writeAndFlush(request).whenFailure { error in
            // A write to an already-closed channel never reaches the handler; a promise
            // already completed by the handler ignores this.
            promise.fail(RedisError(.connectionClosed, "connection to Redis closed: \(error)"))
        }
        return try await promise.futureResult.get()
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Closes the connection; pending commands fail with `.connectionClosed`.
    public func close() {
        channel.close(promise: nil)
    }

    /// Waits until the connection is closed, for whatever reason.
    public func closed() async {
        try? await channel.closeFuture.get()
    }
}

extension Duration {
    /// Whole nanoseconds, for NIO's `TimeAmount`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
