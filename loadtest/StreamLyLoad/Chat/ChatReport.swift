import Foundation

/// The chat run's printed result: sections of `measure  value` lines.
struct ChatReport {
    private var lines: [(label: String, value: String)] = []

    mutating func section(_ title: String) { lines.append((title, "")) }

    mutating func row(_ label: String, _ value: String) { lines.append(("  " + label, value)) }

    func render() -> String {
        let width = lines.map(\.label.count).max() ?? 0
        return lines.map { line in
            line.value.isEmpty ? line.label : line.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + line.value
        }.joined(separator: "\n")
    }

    /// `1.23 ms`, `456 µs`, `2.1 s` from nanoseconds.
    static func duration(_ nanoseconds: UInt64) -> String { seconds(Double(nanoseconds) / 1e9) }

    static func seconds(_ value: Double) -> String {
        switch value {
        case 1...: return String(format: "%.2f s", value)
        case 1e-3...: return String(format: "%.2f ms", value * 1e3)
        default: return String(format: "%.0f µs", value * 1e6)
        }
    }

    /// p50 / p99 / p99.9 / max of a recorder, or "—" when empty.
    static func percentiles(_ recorder: LatencyRecorder, _ points: [Double] = [50, 99, 99.9]) -> String {
        guard recorder.count > 0 else { return "—" }
        var values = points.map { duration(UInt64(recorder.microseconds(atPercentile: $0) * 1_000)) }
        values.append(duration(recorder.histogram.max))
        return values.joined(separator: " / ")
    }

    /// `12.3 MiB`.
    static func bytes(_ value: Double) -> String {
        let (kib, mib, gib) = (1_024.0, 1_048_576.0, 1_073_741_824.0)
        switch abs(value) {
        case gib...: return String(format: "%.2f GiB", value / gib)
        case mib...: return String(format: "%.1f MiB", value / mib)
        case kib...: return String(format: "%.1f KiB", value / kib)
        default: return String(format: "%.0f B", value)
        }
    }

    static func count(_ value: Int) -> String {
        let digits = String(value)
        var grouped = ""
        for (offset, character) in digits.reversed().enumerated() {
            if offset > 0 && offset % 3 == 0 && character != "-" { grouped.append(",") }
            grouped.append(character)
        }
        return String(grouped.reversed())
    }

    static func rate(_ value: Double, _ unit: String) -> String {
        value >= 10_000 ? String(format: "%.1f k %@", value / 1_000, unit) : String(format: "%.0f %@", value, unit)
    }
}
