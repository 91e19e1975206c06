/// Exponential backoff with full jitter for reconnecting to a peer:
/// attempt n waits a random time in [0, min(cap, base · 2^n)], never below `floor`.
public struct ReconnectBackoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    public var floor: Duration

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(10), floor: Duration = .milliseconds(20)) {
        self.base = base
        self.cap = cap
        self.floor = floor
    }

    /// The upper bound of the wait before attempt `attempt` (0-based).
    public func ceiling(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt, 0), 30)
        let grown = base * factor
        return grown > cap || grown < .zero ? cap : grown
    }

    /// The wait before attempt `attempt`, with `unit` a uniform random number in [0, 1).
    public func delay(attempt: Int, unit: Double) -> Duration {
        max(floor, ceiling(attempt: attempt) * min(max(unit, 0), 1))
    }
}
