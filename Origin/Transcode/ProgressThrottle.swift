/// Turns a stream of progress fractions into monotonic reports in 0...1, at most one per
/// `step` of progress unless `interval` seconds have passed. Pure: `now` is passed in.
struct ProgressThrottle: Sendable {
    var step = 0.01
    var interval = 0.5
    private(set) var lastReported = -1.0
    private var lastTime = -Double.infinity

    init(step: Double = 0.01, interval: Double = 0.5) {
        self.step = step
        self.interval = interval
    }

    /// The value to report now, or nil. `fraction` is clamped below `1` (only `finish` reports
    /// completion) and never goes backwards.
    mutating func update(_ fraction: Double, now: Double) -> Double? {
        let value = min(max(fraction.isFinite ? fraction : 0, 0), 0.999)
        guard value > lastReported else { return nil }
        guard lastReported < 0 || value - lastReported >= step || now - lastTime >= interval else { return nil }
        lastReported = value
        lastTime = now
        return value
    }

    /// 1.0, exactly once.
    mutating func finish() -> Double? {
        guard lastReported < 1 else { return nil }
        lastReported = 1
        return 1
    }
}
