import Metrics
import Synchronization

/// Jobs running on this origin (`streamly_transcode_active`).
final class ActiveTranscodes: Sendable {
    private let count = Atomic<Int>(0)
    private let gauge = Gauge(label: "streamly_transcode_active")

    func add(_ delta: Int) {
        gauge.record(count.add(delta, ordering: .relaxed).newValue)
    }
}
