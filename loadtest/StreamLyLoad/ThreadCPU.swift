import Foundation

/// CPU time of this process's threads (user + system, from `/proc/self/task/*/stat`), to show
/// in a benchmark's notes which thread bounds a case: one at 1.0 core is saturated, none
/// near it means the case waits on hand-offs, not on work.
struct ThreadCPU {
    private let seconds: [Int: (name: String, cpuSeconds: Double)]
    private let nanos: UInt64

    static func sample() -> ThreadCPU {
        var seconds: [Int: (name: String, cpuSeconds: Double)] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let tid = Int(task), let stat = ProcessProbe.stat(atPath: "/proc/self/task/\(task)/stat") else { continue }
            seconds[tid] = stat
        }
        return ThreadCPU(seconds: seconds, nanos: nowNanos())
    }

    /// Cores used per thread name between `earlier` and this sample, busiest first; threads
    /// sharing a name are summed (the cooperative pool's workers, and unnamed threads, which
    /// carry the process's name). Threads under 0.02 are left out. Clock ticks are 10 ms: a
    /// case of a few seconds is precise to about 1%.
    func busy(since earlier: ThreadCPU) -> [Busy] {
        guard nanos > earlier.nanos else { return [] }
        let elapsed = Double(nanos - earlier.nanos) / 1e9
        var byName: [String: (cpuSeconds: Double, threads: Int)] = [:]
        for (tid, now) in seconds {
            // A thread id reused by a new thread since `earlier` counts from zero.
            let before = earlier.seconds[tid].flatMap { $0.name == now.name && $0.cpuSeconds <= now.cpuSeconds ? $0.cpuSeconds : nil } ?? 0
            let used = now.cpuSeconds - before
            guard used > 0 else { continue }
            byName[now.name, default: (0, 0)].cpuSeconds += used
            byName[now.name, default: (0, 0)].threads += 1
        }
        return byName.map { Busy(name: $0.key, threads: $0.value.threads, cores: $0.value.cpuSeconds / elapsed) }
            .filter { $0.cores >= 0.02 }
            .sorted { $0.cores > $1.cores }
    }

    /// The CPU of the threads of one name.
    struct Busy {
        let name: String
        /// Threads of that name that ran.
        let threads: Int
        let cores: Double
        /// Each of its threads busy 90 % of the time or more.
        var isSaturated: Bool { cores >= 0.9 * Double(threads) }
    }

    /// "NIO-SGLTN-1-#2 0.99, NIO-SGLTN-1-#1 0.54 → bound by NIO-SGLTN-1-#2 (saturated)" for a note.
    static func describe(_ busy: [Busy]) -> String {
        guard !busy.isEmpty else { return "no thread above 0.02" }
        let list = busy.map { "\($0.name) \(String(format: "%.2f", $0.cores))" }.joined(separator: ", ")
        if let saturated = busy.first(where: \.isSaturated) {
            return list + " → bound by \(saturated.name) (saturated)"
        }
        return list + " → no thread saturated: bound by hand-offs between threads"
    }
}
