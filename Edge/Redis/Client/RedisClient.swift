import Logging
import NIOCore
import NIOPosix

/// An async Redis client over one pipelined connection that reconnects by itself.
///
/// Start it with `run()` (in a task group or as a service; it returns after `close()` or when its
/// task is cancelled), then call `send` or the typed helpers from any task. Commands share the
/// connection and are answered in order.
///
/// While Redis is unreachable, a command waits up to `RedisConfiguration.connectionWait` for
/// the reconnection and then fails with `.unavailable` (never sent, so safe to retry). Commands
/// in flight when the connection drops fail with `.connectionClosed`: they may have run, so they
/// are not retried automatically.
///
/// ```swift
/// let redis = try RedisClient(url: "redis://127.0.0.1:6379/0")
/// async let _ = redis.run()
/// try await redis.set("edge:1", "alive", expiresIn: .seconds(10))
/// ```
///
/// For swift-service-lifecycle, `extension RedisClient: Service {}` is all that is needed.
public final class RedisClient: Sendable {
    private let supervisor: RedisConnectionSupervisor

    /// Creates a client; nothing connects until `run()`.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "streamly.redis")
    ) {
        supervisor = RedisConnectionSupervisor(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Creates a client for `redis://[[user]:password@]host[:port][/db]`.
    public convenience init(
        url: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "streamly.redis")
    ) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// The configuration the client was created with.
    public var configuration: RedisConfiguration { supervisor.configuration }

    /// Whether a connection to Redis is up right now.
    public var isConnected: Bool { supervisor.isConnected }

    /// Connects and keeps reconnecting until `close()` is called or the task is cancelled.
    public func run() async throws {
        await supervisor.run()
    }

    /// Closes the connection and stops `run()`; later commands fail with `.closed`.
    public func close() {
        supervisor.close()
    }

    /// Sends one command and returns its reply.
    ///
    /// - Throws: `RedisError` with code `.server` (Redis's message), `.unavailable`,
    ///   `.connectionClosed`, `.closed`, `.protocolError` or `.replyTooLarge`.
    public func send(_ arguments: [RedisArgument]) async throws -> RESPValue {
        try await supervisor.connection().send(arguments)
    }

    /// Sends one command and returns its reply: `try await redis.send("INCR", "counter")`.
    public func send(_ arguments: RedisArgument...) async throws -> RESPValue {
        try await send(arguments)
    }

    /// Sends one command given as strings.
    public func send(_ arguments: [String]) async throws -> RESPValue {
        try await send(arguments.map { RedisArgument($0) })
    }

    /// Sends one command given as binary arguments.
    public func send(_ arguments: [[UInt8]]) async throws -> RESPValue {
        try await send(arguments.map { RedisArgument($0) })
    }
}
