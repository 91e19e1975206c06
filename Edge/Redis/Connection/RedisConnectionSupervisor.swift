import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Keeps one connection to Redis up: connects, runs the owner's set-up hook, hands the
/// connection to callers, and reconnects with exponential backoff and jitter when it drops.
/// Shared by `RedisClient` and `RedisSubscriber`.
///
/// Callers asking for a connection while there is none wait up to
/// `RedisConfiguration.connectionWait`, then fail with `.unavailable`.
final class RedisConnectionSupervisor: Sendable {
    /// Runs after each connect, before the connection is handed out; `isReconnect` is false
    /// the first time. Throwing drops the connection and retries after a backoff.
    typealias SetUp = @Sendable (_ connection: RedisConnection, _ isReconnect: Bool) async throws -> Void

    let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let pushSink: (@Sendable (RedisPubSubMessage) -> Void)?
    private let setUp: SetUp
    private let state = Mutex(StateMachine<RedisConnection>())

    init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        pushSink: (@Sendable (RedisPubSubMessage) -> Void)? = nil,
        setUp: @escaping SetUp = { _, _ in }
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.pushSink = pushSink
        self.setUp = setUp
    }

    /// Whether a connection is up right now.
    var isConnected: Bool {
        state.withLock { $0.connection != nil }
    }

    /// The current connection, waiting up to `connectionWait` for one.
    func connection() async throws -> RedisConnection {
        switch state.withLock({ $0.requestConnection() }) {
        case .use(let connection): return connection
        case .fail(let error): throw error
        case .wait: break
        }
        let wait = configuration.connectionWait
        guard wait > .zero else { throw Self.unavailable(configuration) }
        let id = state.withLock { $0.makeWaiterID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                switch state.withLock({ $0.addWaiter(id: id, continuation) }) {
                case .resume(let connection): continuation.resume(returning: connection)
                case .fail(let error): continuation.resume(throwing: error)
                case .stored:
                    let error = Self.unavailable(configuration)
                    eventLoopGroup.next().scheduleTask(in: .nanoseconds(wait.nanoseconds)) {
                        self.state.withLock { $0.removeWaiter(id: id) }?.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            state.withLock { $0.removeWaiter(id: id) }?.resume(throwing: CancellationError())
        }
    }

    private static func unavailable(_ configuration: RedisConfiguration) -> RedisError {
        RedisError(.unavailable, "no connection to Redis at \(configuration.host):\(configuration.port)")
    }

    /// Connects and reconnects until `close()` is called or the task is cancelled.
    func run() async {
        await withTaskCancellationHandler {
            await loop()
        } onCancel: {
            close()
        }
    }

    private func loop() async {
        var attempt = 0
        var hasConnected = false
        while !state.withLock({ $0.isClosed }) {
            do {
                let connection = try await RedisConnection.connect(
                    configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, pushSink: pushSink
                )
                do {
                    try await setUp(connection, hasConnected)
                } catch {
                    connection.close()
                    throw error
                }
                switch state.withLock({ $0.connected(connection) }) {
                case .closeConnection:
                    connection.close()
                    return
                case .resume(let waiters, let connection):
                    for waiter in waiters { waiter.resume(returning: connection) }
                }
                logger.info("connected to Redis", metadata: [
                    "redis": "\(configuration.host):\(configuration.port)", "reconnect": "\(hasConnected)",
                ])
                hasConnected = true
                attempt = 0
                await connection.closed()
                state.withLock { $0.disconnected(connection) }
                if state.withLock({ $0.isClosed }) { return }
                logger.warning("lost connection to Redis; reconnecting", metadata: ["redis": "\(configuration.host):\(configuration.port)"])
            } catch {
                let level: Logger.Level = attempt == 0 ? .warning : .debug
                logger.log(level: level, "Redis connection attempt failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
            await sleep(configuration.backoff.delay(attempt: attempt, unit: Double.random(in: 0...1)))
            attempt += 1
        }
    }

    /// Sleeps for `duration`, or until `close()`.
    private func sleep(_ duration: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            guard state.withLock({ $0.startSleep(continuation) }) else {
                continuation.resume()
                return
            }
            eventLoopGroup.next().scheduleTask(in: .nanoseconds(duration.nanoseconds)) {
                self.state.withLock { $0.endSleep() }?.resume()
            }
        }
    }

    /// Stops reconnecting, closes the connection and fails waiting callers with `.closed`.
    func close() {
        let action = state.withLock { $0.close() }
        let error = RedisError(.closed, "Redis client is closed")
        for waiter in action.waiters { waiter.resume(throwing: error) }
        action.connection?.close()
        action.sleeper?.resume()
    }
}

extension RedisConnectionSupervisor {
    /// The current connection, without waiting.
    var currentConnection: RedisConnection? {
        state.withLock { $0.connection }
    }
}
