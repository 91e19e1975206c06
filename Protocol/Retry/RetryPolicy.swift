/// How long to wait between attempts of something that may fail for a while (a reconnect,
/// a database write, a transcode): exponential growth from `base`, capped at `cap`, never
/// below `floor`, optionally with full jitter, optionally a bounded number of attempts.
///
/// One value type for every retry loop in StreamLy (link pool, Redis client, message
/// sequencer, transcode jobs). It decides only; the caller sleeps on the clock it is given
/// (`sleep(beforeAttempt:on:)`), so tests pass a manual clock.
public struct RetryPolicy: Sendable, Equatable {
    /// Whether the wait is the ceiling itself or a uniform random share of it.
    public struct Jitter: Hashable, Sendable {
        let name: String
        /// Wait exactly the ceiling.
        public static let none = Jitter(name: "none")
        /// Wait a uniform random time in [floor, ceiling] ("full jitter").
        public static let full = Jitter(name: "full")
    }

    /// Ceiling of the wait before attempt 0; doubles per attempt.
    public var base: Duration
    /// Largest wait.
    public var cap: Duration
    /// Smallest wait.
    public var floor: Duration
    public var jitter: Jitter
    /// Attempts allowed in all (the first one included); nil: unbounded.
    public var maxAttempts: Int?

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(10), floor: Duration = .milliseconds(20),
                jitter: Jitter = .full, maxAttempts: Int? = nil) {
        self.base = base
        self.cap = cap
        self.floor = floor
        self.jitter = jitter
        self.maxAttempts = maxAttempts
    }

    /// The upper bound of the wait before attempt `attempt` (0-based): min(cap, base · 2^attempt).
    public func ceiling(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt, 0), 30)
        let grown = base * factor
        return grown > cap || grown < .zero ? cap : grown
    }

    /// The wait before attempt `attempt`, with `unit` a uniform random number in [0, 1)
    /// (ignored without jitter).
    public func delay(attempt: Int, unit: Double) -> Duration {
        let ceiling = ceiling(attempt: attempt)
        guard jitter == .full else { return max(floor, ceiling) }
        return max(floor, ceiling * min(max(unit, 0), 1))
    }

    /// Whether another attempt may follow `attemptsMade` attempts.
    public func allowsAttempt(after attemptsMade: Int) -> Bool {
        guard let maxAttempts else { return true }
        return attemptsMade < maxAttempts
    }

    /// Sleeps on `clock` for the wait before attempt `attempt`; throws when cancelled.
    public func sleep(beforeAttempt attempt: Int, on clock: any Clock<Duration>, unit: Double = .random(in: 0..<1)) async throws {
        try await clock.sleep(for: delay(attempt: attempt, unit: unit))
    }
}

extension RetryPolicy {
    /// Reconnecting to an origin over the link: 100 ms doubling to 10 s, full jitter.
    public static let linkReconnect = RetryPolicy()
    /// Reconnecting to Redis: 50 ms doubling to 5 s, full jitter, at least 10 ms.
    public static let redisReconnect = RetryPolicy(base: .milliseconds(50), cap: .seconds(5), floor: .milliseconds(10))
    /// Retrying a PostgreSQL write or a Kafka re-emit in the sequencer: 50 ms doubling to 2 s.
    public static let storageWrite = RetryPolicy(base: .milliseconds(50), cap: .seconds(2), floor: .zero, jitter: .none)
}
