import Foundation
import NIOCore
import NIOPosix
import StreamLyProcess
import StreamLyRedis
import Synchronization
import Testing

/// Suites that talk to the real Redis started by `infra/up.sh` (the restart test runs its own
/// server: `PrivateRedis`).
@Suite(.serialized) enum RealRedis {}

enum RedisTestSupport {
    /// The Redis URL exported by `. .state/<profile>/env.sh`; fails the test when missing.
    static func url(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["STREAMLY_REDIS_URL"],
            "STREAMLY_REDIS_URL is not set: run `infra/up.sh --profile dev && . .state/dev/env.sh` first",
            sourceLocation: sourceLocation
        )
    }

    /// A key prefix no other test (or run) uses.
    static func prefix(_ test: String = #function) -> String {
        "streamly-test:\(test.prefix { $0 != "(" }):\(UUID().uuidString.prefix(8)):"
    }

    /// Runs `body` with a running client, closing it afterwards.
    static func withClient<T: Sendable>(url: String? = nil, _ body: (RedisClient) async throws -> T) async throws -> T {
        try await withClient(url: url, configuring: { _ in }, body)
    }

    /// Runs `body` with a running client whose configuration `configure` adjusted.
    static func withClient<T: Sendable>(
        url: String? = nil,
        configuring configure: (inout RedisConfiguration) -> Void,
        _ body: (RedisClient) async throws -> T
    ) async throws -> T {
        var configuration = try Self.configuration(url)
        configure(&configuration)
        let client = RedisClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { client.close() }
            return try await body(client)
        }
    }

    /// Runs `body` with a running subscriber, closing it afterwards.
    static func withSubscriber<T: Sendable>(url: String? = nil, _ body: (RedisSubscriber) async throws -> T) async throws -> T {
        let subscriber = RedisSubscriber(configuration: try Self.configuration(url))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            defer { subscriber.close() }
            return try await body(subscriber)
        }
    }

    /// The configuration tests use: the production waits (2 s for a connection) are too short
    /// for a client that starts while the whole suite loads 2 cores; tests of unavailability
    /// shorten them again through `configuring`.
    static func configuration(_ url: String?) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: url ?? Self.url())
        configuration.connectTimeout = .seconds(10)
        configuration.connectionWait = .seconds(30)
        return configuration
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    static func eventually(timeout: Duration = .seconds(5), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }
}

/// Collects a subscriber's events in the background so tests can poll them
/// (cancelling a task that waits on an `AsyncStream` would end the stream).
final class EventCollector: Sendable {
    private let received = Mutex<[RedisSubscriber.Event]>([])

    /// Starts consuming `subscriber.events` until the stream finishes.
    init(_ subscriber: RedisSubscriber) {
        Task { [self] in
            for await event in subscriber.events {
                received.withLock { $0.append(event) }
            }
        }
    }

    var events: [RedisSubscriber.Event] { received.withLock { $0 } }

    /// Waits until an event satisfying `predicate` has arrived.
    func waitFor(timeout: Duration = .seconds(5), _ predicate: @escaping (RedisSubscriber.Event) -> Bool) async -> Bool {
        await RedisTestSupport.eventually(timeout: timeout) { self.events.contains(where: predicate) }
    }
}
