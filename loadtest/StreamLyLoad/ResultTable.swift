import Foundation

/// One figure of a benchmark: the StreamLy value beside the same measure for the
/// baseline (raw TCP or plain memcpy) in the same run.
struct BenchmarkRow: Sendable, Encodable {
    /// Table section, e.g. "Codec".
    var section: String
    var measure: String
    /// Unit of both values, e.g. "msg/s", "GB/s", "µs".
    var unit: String
    var streamly: Double
    var baseline: Double

    /// StreamLy ÷ baseline: below 1 is slower for rates, above 1 is slower for latencies.
    var ratio: Double { baseline == 0 ? .nan : streamly / baseline }

    private enum CodingKeys: String, CodingKey { case section, measure, unit, streamly, baseline, ratio }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(section, forKey: .section)
        try container.encode(measure, forKey: .measure)
        try container.encode(unit, forKey: .unit)
        try container.encode(streamly, forKey: .streamly)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(ratio.isFinite ? ratio : 0, forKey: .ratio)
    }
}

/// Prints benchmark rows as an aligned text table (grouped by section) or as JSON.
enum ResultTable {
    static let headers = ["measure", "StreamLy", "raw TCP", "ratio"]

    /// - Parameter baseline: the header of the baseline column.
    static func render(_ rows: [BenchmarkRow], notes: [String], baseline: String = "raw TCP") -> String {
        var headers = headers
        headers[2] = baseline
        var lines: [[String]] = []
        var sections: [Int] = []
        var lastSection: String?
        for row in rows {
            if row.section != lastSection {
                sections.append(lines.count)
                lines.append([row.section, "", "", ""])
                lastSection = row.section
            }
            lines.append([
                "  " + row.measure,
                format(row.streamly, unit: row.unit),
                format(row.baseline, unit: row.unit),
                row.ratio.isFinite ? String(format: "%.2f×", row.ratio) : "—",
            ])
        }
        let widths = (0..<headers.count).map { column in
            ([headers] + lines).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var output = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        for (index, cells) in lines.enumerated() {
            output.append(sections.contains(index) ? cells[0] : line(cells))
        }
        output.append("")
        output.append(contentsOf: notes)
        return output.joined(separator: "\n")
    }

    static func json(_ rows: [BenchmarkRow], machine: [String: String]) throws -> String {
        struct Report: Encodable {
            var machine: [String: String]
            var rows: [BenchmarkRow]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Report(machine: machine, rows: rows)), as: UTF8.self)
    }

    /// `1.23 M msg/s`, `4.56 GB/s`, `78.9 µs`: rates get an SI prefix, other units none.
    static func format(_ value: Double, unit: String) -> String {
        guard value.isFinite else { return "—" }
        var number = value
        var prefix = ""
        if unit.hasSuffix("/s"), unit != "GB/s" {
            switch value {
            case 1e9...: (number, prefix) = (value / 1e9, "G ")
            case 1e6...: (number, prefix) = (value / 1e6, "M ")
            case 1e4...: (number, prefix) = (value / 1e3, "k ")
            default: break
            }
        }
        let digits = number >= 100 ? 0 : number >= 10 ? 1 : 2
        return String(format: "%.\(digits)f", number) + " " + prefix + unit
    }
}
