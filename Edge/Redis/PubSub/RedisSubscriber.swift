import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A dedicated pub/sub connection (RESP2 subscribe mode) that keeps its subscriptions across
/// reconnections.
///
/// Subscriptions are remembered; after every reconnection they are re-established (SUBSCRIBE
/// and PSUBSCRIBE) before the connection is used, and then `.reconnected` is emitted: messages
/// published while disconnected are lost (Redis pub/sub is fire-and-forget), so consumers
/// should resync their state (e.g. re-read presence) when they see it.
///
/// ```swift
/// let subscriber = try RedisSubscriber(url: url)
/// async let _ = subscriber.run()
/// try await subscriber.subscribe(["typing:room-1"])
/// for await event in subscriber.events { … }
/// ```
public final class RedisSubscriber: Sendable {
    /// What the subscriber delivers, in order.
    public enum Event: Hashable, Sendable {
        /// A published message on a subscribed channel or pattern.
        case message(RedisPubSubMessage)
        /// The connection was re-established and all subscriptions restored.
        case reconnected
    }

    /// Every event, for one consumer. When the consumer falls more than `bufferLimit` events
    /// behind, the oldest are dropped (and a warning is logged). Finishes after `close()`.
    public let events: AsyncStream<Event>

    private let continuation: AsyncStream<Event>.Continuation
    private let subscriptions: SubscriptionSet
    private let supervisor: RedisConnectionSupervisor

    /// Creates a subscriber; nothing connects until `run()`.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "streamly.redis.pubsub"),
        bufferLimit: Int = 10_000
    ) {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let subscriptions = SubscriptionSet()
        let dropped = Atomic<Int>(0)
        self.events = events
        self.continuation = continuation
        self.subscriptions = subscriptions
        let yield: @Sendable (Event) -> Void = { event in
            if case .dropped = continuation.yield(event) {
                let count = dropped.add(1, ordering: .relaxed).newValue
                if count == 1 || count.isMultiple(of: 1000) {
                    logger.warning("Redis pub/sub consumer too slow; dropped events", metadata: ["dropped": "\(count)"])
                }
            }
        }
        supervisor = RedisConnectionSupervisor(
            configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger,
            pushSink: { message in
                // Ignore stragglers for channels unsubscribed while a resubscription was in flight.
                if subscriptions.wants(message) { yield(.message(message)) }
            },
            setUp: { connection, isReconnect in
                let (channels, patterns) = subscriptions.snapshot()
                if !channels.isEmpty {
                    _ = try await connection.send(["SUBSCRIBE"] + channels.map { RedisArgument($0) }, replyCount: channels.count)
                }
                if !patterns.isEmpty {
                    _ = try await connection.send(["PSUBSCRIBE"] + patterns.map { RedisArgument($0) }, replyCount: patterns.count)
                }
                if isReconnect { yield(.reconnected) }
            }
        )
    }

    /// Creates a subscriber for `redis://[[user]:password@]host[:port][/db]`.
    public convenience init(
        url: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "streamly.redis.pubsub")
    ) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Whether the pub/sub connection is up right now.
    public var isConnected: Bool { supervisor.isConnected }

    /// Connects and keeps reconnecting until `close()` is called or the task is cancelled.
    public func run() async throws {
        await supervisor.run()
    }

    /// Closes the connection, stops `run()` and finishes `events`.
    public func close() {
        supervisor.close()
        continuation.finish()
    }

    /// Subscribes to channels; returns once Redis confirmed. The subscription is remembered
    /// even if this throws `.unavailable`, and is established on the next connection.
    public func subscribe(_ channels: [String]) async throws {
        guard !channels.isEmpty else { return }
        subscriptions.add(channels: channels)
        _ = try await supervisor.connection().send(["SUBSCRIBE"] + channels.map { RedisArgument($0) }, replyCount: channels.count)
    }

    /// Subscribes to glob-style patterns (`presence:*`); messages carry the matching `pattern`.
    public func psubscribe(_ patterns: [String]) async throws {
        guard !patterns.isEmpty else { return }
        subscriptions.add(patterns: patterns)
        _ = try await supervisor.connection().send(["PSUBSCRIBE"] + patterns.map { RedisArgument($0) }, replyCount: patterns.count)
    }

    /// Unsubscribes from channels (no wait if disconnected: they are simply not restored).
    public func unsubscribe(_ channels: [String]) async throws {
        guard !channels.isEmpty else { return }
        subscriptions.remove(channels: channels)
        _ = try await supervisor.currentConnection?.send(["UNSUBSCRIBE"] + channels.map { RedisArgument($0) }, replyCount: channels.count)
    }

    /// Unsubscribes from patterns.
    public func punsubscribe(_ patterns: [String]) async throws {
        guard !patterns.isEmpty else { return }
        subscriptions.remove(patterns: patterns)
        _ = try await supervisor.currentConnection?.send(["PUNSUBSCRIBE"] + patterns.map { RedisArgument($0) }, replyCount: patterns.count)
    }
}

/// The channels and patterns a subscriber wants, shared with its connection hooks.
private final class SubscriptionSet: Sendable {
    private struct Sets {
        var channels: Set<String> = []
        var patterns: Set<String> = []
    }

    private let sets = Mutex(Sets())

    func add(channels: [String] = [], patterns: [String] = []) {
        sets.withLock {
            $0.channels.formUnion(channels)
            $0.patterns.formUnion(patterns)
        }
    }

    func remove(channels: [String] = [], patterns: [String] = []) {
        sets.withLock {
            $0.channels.subtract(channels)
            $0.patterns.subtract(patterns)
        }
    }

    func snapshot() -> (channels: [String], patterns: [String]) {
        sets.withLock { (Array($0.channels).sorted(), Array($0.patterns).sorted()) }
    }

    func wants(_ message: RedisPubSubMessage) -> Bool {
        sets.withLock { sets in
            if let pattern = message.pattern { return sets.patterns.contains(pattern) }
            return sets.channels.contains(message.channel)
        }
    }
}
