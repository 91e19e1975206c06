import ArgumentParser

/// A byte count on the command line: `1073741824`, `64K`/`64KiB`, `256M`/`256MiB`, `1G`/`1GiB`
/// (binary multiples).
struct ByteCount: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var bytes: Int

    init(_ bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        var text = argument.uppercased()
        for suffix in ["IB", "B"] where text.hasSuffix(suffix) { text.removeLast(suffix.count); break }
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var multiplier = 1
        if let last = text.last, let value = multipliers[last] {
            multiplier = value
            text.removeLast()
        }
        guard let value = Int(text), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        bytes = product
    }

    static func kibibytes(_ n: Int) -> ByteCount { ByteCount(n << 10) }
    static func gibibytes(_ n: Int) -> ByteCount { ByteCount(n << 30) }

    /// `64 B`, `1 KiB`, `256 KiB`, `1 GiB` (exact multiples only, else bytes).
    var description: String {
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << shift {
            if bytes % (1 << shift) == 0 { return "\(bytes >> shift) \(unit)" }
        }
        return "\(bytes) B"
    }

    var defaultValueDescription: String { description.filter { $0 != " " } }
}
