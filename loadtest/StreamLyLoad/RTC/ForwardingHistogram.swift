/// The edge's `streamly_rtc_forwarding_latency_seconds` histogram as its `/metrics` prints it
/// (count, sum, cumulative buckets by upper bound). Two readings around the measured window
/// give the window's own mean and percentiles.
struct ForwardingHistogram: Sendable {
    static let name = "streamly_rtc_forwarding_latency_seconds"

    var count: Double = 0
    var seconds: Double = 0
    /// Cumulative sample counts by upper bound in seconds, ascending (`+Inf` last).
    var buckets: [(bound: Double, count: Double)] = []

    /// Reads the histogram out of a Prometheus text exposition; nil when it is absent.
    static func parse(_ text: String) -> ForwardingHistogram? {
        var histogram = ForwardingHistogram()
        var found = false
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let key = line[..<space]
            if key == "\(name)_count" {
                histogram.count = value
                found = true
            } else if key == "\(name)_sum" {
                histogram.seconds = value
            } else if key.hasPrefix("\(name)_bucket"), let bound = upperBound(key) {
                histogram.buckets.append((bound, value))
            }
        }
        histogram.buckets.sort { $0.bound < $1.bound }
        return found ? histogram : nil
    }

    /// The `le` label's value: `…_bucket{le="0.0005"}` → 0.0005, `le="+Inf"` → infinity.
    private static func upperBound(_ key: Substring) -> Double? {
        guard let start = key.range(of: "le=\"")?.upperBound, let end = key[start...].firstIndex(of: "\"") else { return nil }
        let text = key[start..<end]
        return text == "+Inf" ? .infinity : Double(text)
    }

    /// What was recorded after `earlier`, a reading of the same histogram.
    func since(_ earlier: ForwardingHistogram) -> ForwardingHistogram {
        let before = Dictionary(earlier.buckets.map { ($0.bound, $0.count) }, uniquingKeysWith: { $1 })
        return ForwardingHistogram(count: count - earlier.count, seconds: seconds - earlier.seconds,
                                   buckets: buckets.map { ($0.bound, $0.count - (before[$0.bound] ?? 0)) })
    }

    /// This histogram and `other` (another server's, same buckets) as one.
    func adding(_ other: ForwardingHistogram) -> ForwardingHistogram {
        let theirs = Dictionary(other.buckets.map { ($0.bound, $0.count) }, uniquingKeysWith: { $1 })
        return ForwardingHistogram(count: count + other.count, seconds: seconds + other.seconds,
                                   buckets: buckets.map { ($0.bound, $0.count + (theirs[$0.bound] ?? 0)) })
    }

    var mean: Double? { count > 0 ? seconds / count : nil }

    /// The `fraction` quantile (0…1) by linear interpolation inside its bucket, as Prometheus's
    /// `histogram_quantile` does: a bucket's samples are taken as spread evenly over it. A
    /// quantile in the `+Inf` bucket answers the highest finite bound (a lower bound then).
    func quantile(_ fraction: Double) -> Double? {
        guard count > 0, !buckets.isEmpty else { return nil }
        let rank = fraction * count
        var lowerBound = 0.0
        var below = 0.0
        for bucket in buckets {
            if bucket.count >= rank {
                guard bucket.bound.isFinite else { return lowerBound }
                let inside = bucket.count - below
                return inside > 0 ? lowerBound + (bucket.bound - lowerBound) * (rank - below) / inside : bucket.bound
            }
            lowerBound = bucket.bound.isFinite ? bucket.bound : lowerBound
            below = bucket.count
        }
        return lowerBound
    }
}
