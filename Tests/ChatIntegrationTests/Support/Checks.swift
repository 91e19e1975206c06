/// What a subscriber must have received in a channel: seq 1...n, in order, each once,
/// each (author, client_id) once. Returns the problems found (empty if none).
func sequenceProblems(_ events: [ChatEvent], through n: Int64, who: String) -> [String] {
    var problems: [String] = []
    if let problem = seqProblem(events.compactMap(\.seq), 1...max(n, 1)), n > 0 { problems.append("\(who): \(problem)") }
    let keys = events.map { "\($0.author ?? "?")|\($0.client_id ?? "?")" }
    if Set(keys).count != keys.count { problems.append("\(who): some (author, client_id) delivered more than once") }
    if let bad = events.first(where: { $0.id == nil || $0.author == nil || $0.client_id == nil || $0.ts == nil || $0.body == nil }) {
        problems.append("\(who): incomplete message event \(bad.raw)")
    }
    return problems
}

/// seq → message id, to compare what different subscribers saw.
func messageIDs(_ events: [ChatEvent]) -> [Int64: String] {
    Dictionary(events.compactMap { event in event.seq.map { ($0, event.id ?? "") } }, uniquingKeysWith: { first, _ in first })
}

/// nil if `seqs` is exactly `range`, in order; else a short account of what is wrong.
func seqProblem(_ seqs: [Int64], _ range: ClosedRange<Int64>) -> String? {
    guard seqs != Array(range) else { return nil }
    let counts = Dictionary(seqs.map { ($0, 1) }, uniquingKeysWith: +)
    let missing = range.filter { counts[$0] == nil }
    let duplicated = counts.filter { $0.value > 1 }.keys.sorted()
    let extra = counts.keys.filter { !range.contains($0) }.sorted()
    let unordered = zip(seqs, seqs.dropFirst()).filter { $0.0 >= $0.1 }.prefix(3).map { "\($0.0)→\($0.1)" }
    return "\(seqs.count) seqs for \(range): missing \(missing.prefix(30))\(missing.count > 30 ? "… (\(missing.count))" : ""), "
        + "duplicated \(duplicated.prefix(10)), outside \(extra.prefix(10)), out of order \(unordered)"
}
