import Metrics

extension Duration {
    /// Whole nanoseconds, for metrics and timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Metrics.Timer {
    func record(duration: Duration) { recordNanoseconds(duration.nanoseconds) }
}
