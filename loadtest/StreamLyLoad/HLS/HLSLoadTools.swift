import Foundation

/// Figures of one load-tool run.
struct HLSLoadFigures: Sendable {
    var requestsPerSecond: Double
    var megabytesPerSecond: Double
    var succeeded: Int
    var failed: Int
}

/// Parses h2load and wrk summaries.
enum HLSLoadParser {
    /// h2load: `finished in 2.01s, 9950.12 req/s, 4.86GB/s` and
    /// `requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored, 0 timeout`.
    static func h2load(_ output: String) -> HLSLoadFigures? {
        guard let finished = output.split(separator: "\n").first(where: { $0.hasPrefix("finished in") }),
              let requests = output.split(separator: "\n").first(where: { $0.hasPrefix("requests:") })
        else { return nil }
        let parts = finished.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count >= 3, let rate = Double(parts[1].split(separator: " ")[0]) else { return nil }
        let counts = requests.dropFirst("requests:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        func count(_ label: String) -> Int { counts.first { $0.hasSuffix(" " + label) }.flatMap { Int($0.split(separator: " ")[0]) } ?? 0 }
        return HLSLoadFigures(requestsPerSecond: rate, megabytesPerSecond: megabytes(parts[2]) ?? 0,
                              succeeded: count("succeeded"), failed: count("failed") + count("errored"))
    }

    /// wrk: `Requests/sec:  12345.67`, `Transfer/sec:      1.20GB`, `N requests in …`,
    /// `Non-2xx or 3xx responses: K`, `Socket errors: …`.
    static func wrk(_ output: String) -> HLSLoadFigures? {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let rateLine = lines.first(where: { $0.hasPrefix("Requests/sec:") }),
              let rate = Double(rateLine.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces)),
              let transferLine = lines.first(where: { $0.hasPrefix("Transfer/sec:") })
        else { return nil }
        let total = lines.first(where: { $0.contains(" requests in ") }).flatMap { Int($0.split(separator: " ")[0]) } ?? 0
        let non2xx = lines.first(where: { $0.hasPrefix("Non-2xx") }).flatMap { $0.split(separator: " ").last.flatMap { Int($0) } } ?? 0
        return HLSLoadFigures(requestsPerSecond: rate,
                              megabytesPerSecond: megabytes(String(transferLine.dropFirst("Transfer/sec:".count))) ?? 0,
                              succeeded: total - non2xx, failed: non2xx)
    }

    /// `4.86GB/s`, `512.00MB`, `12KB` → MB (10⁶ bytes for h2load's SI units; wrk uses 2¹⁰ steps).
    static func megabytes(_ text: String) -> Double? {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.hasSuffix("/s") { value.removeLast(2) }
        let units: [(String, Double)] = [("GB", 1_000), ("MB", 1), ("KB", 0.001), ("B", 0.000001)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            return Double(value.dropLast(suffix.count)).map { $0 * scale }
        }
        return Double(value).map { $0 / 1_000_000 }
    }
}
