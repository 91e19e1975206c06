import Histogram
import NIOCore

/// Monotonic nanoseconds for measurements (`CLOCK_MONOTONIC` via `NIODeadline`).
@inline(__always)
func nowNanos() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

/// The measured part of a run: samples that complete inside `[start, end)` count;
/// earlier ones are warm-up, later ones are the tail being drained.
struct MeasurementWindow: Sendable {
    let start: UInt64
    let end: UInt64

    /// A window that opens after `warmup` seconds and lasts `seconds`.
    init(warmup: Double, seconds: Double, from origin: UInt64 = nowNanos()) {
        start = origin + UInt64(warmup * 1e9)
        end = start + UInt64(seconds * 1e9)
    }

    var seconds: Double { Double(end - start) / 1e9 }
    func contains(_ t: UInt64) -> Bool { t >= start && t < end }
    func isOver(_ t: UInt64) -> Bool { t >= end }
}

/// Request latencies in nanoseconds (HdrHistogram, 3 significant digits, up to 60 s).
/// One per worker; merge them with `add` at the end, so no recorder is shared.
struct LatencyRecorder: Sendable {
    private(set) var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    var count: UInt64 { histogram.totalCount }

    mutating func record(nanoseconds: UInt64) {
        histogram.record(nanoseconds)
    }

    mutating func add(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    /// The latency at `percentile` (0...100), in microseconds.
    func microseconds(atPercentile percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1_000
    }
}

/// What one round-trip run produced: latencies of the requests that completed inside
/// the window, and the window's length.
struct RoundTripResult: Sendable {
    var latencies: LatencyRecorder
    var seconds: Double

    var requestsPerSecond: Double { Double(latencies.count) / seconds }
    var p50: Double { latencies.microseconds(atPercentile: 50) }
    var p99: Double { latencies.microseconds(atPercentile: 99) }
}
