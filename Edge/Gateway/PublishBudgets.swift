import Synchronization

/// Publish budgets per user across all their connections on this edge: a token bucket per
/// user (`publishesPerSecondPerUser`, `publishBurstPerUser`). Shared by every session's state
/// machine; the decision is pure (the caller passes the time), the lock only guards the map.
final class PublishBudgets: Sendable {
    private let rate: Double
    private let burst: Double
    /// Users tracked before the map is reset (bounds memory under a flood of accounts).
    static let maxUsers = 100_000
    private let buckets = Mutex<[String: TokenBucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    convenience init(limits: GatewayLimits) {
        self.init(rate: limits.publishesPerSecondPerUser, burst: limits.publishBurstPerUser)
    }

    /// Takes one publish from `user`'s budget; false when it is spent.
    func take(user: String, now: UInt64) -> Bool {
        buckets.withLock { buckets in
            if buckets.count > Self.maxUsers { buckets.removeAll() }
            var bucket = buckets[user] ?? TokenBucket(rate: rate, burst: burst, now: now)
            let allowed = bucket.take(now: now)
            buckets[user] = bucket
            return allowed
        }
    }
}
