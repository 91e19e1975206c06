import Synchronization

/// A rate: `burst` requests at once, refilled at `perMinute` requests a minute (a token bucket).
public struct RateLimit: Hashable, Sendable {
    /// Requests allowed back to back (the bucket's size).
    public var burst: Int
    /// Requests a minute once the burst is spent.
    public var perMinute: Double

    public init(burst: Int, perMinute: Double) {
        self.burst = burst
        self.perMinute = perMinute
    }

    /// `perMinute` requests a minute, all of them allowed at once.
    public static func perMinute(_ count: Int) -> RateLimit { RateLimit(burst: count, perMinute: Double(count)) }
}

/// Token buckets by key (a client IP, an account): decides whether a request may go on now
/// and, if not, when to retry (`Retry-After`). Pure: the caller passes `now`.
///
/// Memory is bounded: at most `maxKeys` buckets. When a new key finds them all taken, the
/// buckets that have refilled completely (they hold no state) are dropped; if none has, all
/// are (a flood of distinct keys resets the limits rather than growing without bound).
public struct RateLimiter<Key: Hashable & Sendable>: Sendable {
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Refused: the next request would be allowed after this long.
        case limited(retryAfter: Duration)
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let limit: RateLimit
    public let maxKeys: Int
    private var buckets: [Key: Bucket] = [:]

    public init(limit: RateLimit, maxKeys: Int = 100_000) {
        self.limit = limit
        self.maxKeys = max(1, maxKeys)
    }

    /// The number of keys tracked now.
    public var keyCount: Int { buckets.count }

    /// Takes one request for `key` at `now`.
    public mutating func acquire(_ key: Key, now: ContinuousClock.Instant) -> Decision {
        let rate = limit.perMinute / 60
        if buckets[key] == nil, buckets.count >= maxKeys { evict(now: now) }
        var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
        bucket.tokens = refilled(bucket, now: now)
        bucket.updated = now
        defer { buckets[key] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return .allowed
        }
        guard rate > 0 else { return .limited(retryAfter: .seconds(3_600)) }
        let wait = (1 - bucket.tokens) / rate
        return .limited(retryAfter: .milliseconds(Int64((wait * 1000).rounded(.up))))
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Double {
        let elapsed = bucket.updated.duration(to: now)
        let seconds = max(0, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        return min(Double(limit.burst), bucket.tokens + seconds * limit.perMinute / 60)
    }

    private mutating func evict(now: ContinuousClock.Instant) {
        buckets = buckets.filter { refilled($0.value, now: now) < Double(limit.burst) }
        if buckets.count >= maxKeys { buckets.removeAll(keepingCapacity: true) }
    }
}

/// A `RateLimiter` shared by concurrent requests, on the continuous clock.
public final class SharedRateLimiter<Key: Hashable & Sendable>: Sendable {
    private let state: Mutex<RateLimiter<Key>>

    public init(limit: RateLimit, maxKeys: Int = 100_000) {
        state = Mutex(RateLimiter(limit: limit, maxKeys: maxKeys))
    }

    /// Nil when the request may go on; otherwise how long until it may be retried.
    public func acquire(_ key: Key) -> Duration? {
        let now = ContinuousClock.now
        switch state.withLock({ $0.acquire(key, now: now) }) {
        case .allowed: return nil
        case .limited(let retryAfter): return retryAfter
        }
    }
}

extension Duration {
    /// Whole seconds, rounded up, at least 1: the value of a `Retry-After` header.
    public var retryAfterSeconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
