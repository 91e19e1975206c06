/// What one subscriber received on its channel, checked against the per-channel
/// total order: each message event must carry the next `seq`, exactly once.
struct SubscriberLedger: Sendable, Equatable {
    enum Outcome: Equatable {
        case inOrder
        /// `missing` sequence numbers were skipped (the event itself counts as delivered).
        case gap(missing: Int64)
        /// A seq at or below one already delivered: a duplicate (or out of order).
        case duplicate
    }

    var channel: Int
    /// The seq the next event must carry.
    var next: Int64 = 1
    var received = 0
    var duplicates = 0
    var gaps = 0
    var missing: Int64 = 0

    var lastSeq: Int64 { next - 1 }

    /// `subscribed` said the channel stood at `seq`: live events start after it.
    mutating func subscribed(at seq: Int64) { next = seq + 1 }

    mutating func receive(seq: Int64) -> Outcome {
        if seq < next {
            duplicates += 1
            return .duplicate
        }
        received += 1
        defer { next = seq + 1 }
        guard seq == next else {
            gaps += 1
            missing += seq - next
            return .gap(missing: seq - next)
        }
        return .inOrder
    }
}

/// Counters and histograms of one event loop's connections; merged at the end.
struct ChatStats: Sendable {
    /// Publish (send time embedded in the body) → `message` event at a subscriber, for
    /// messages sent inside the measured window.
    var endToEnd = LatencyRecorder()
    /// Publish → `ack`, for publishes sent inside the window.
    var ack = LatencyRecorder()
    var deliveries = 0
    var deliveriesInWindow = 0
    var published = 0
    var acked = 0
    var publishErrors = 0
    /// Publishes sent again (same `client_id`) after a retryable error.
    var retries = 0
    var errorCodes: [String: Int] = [:]
    /// `message` events for another channel than the connection subscribed to.
    var wrongChannel = 0
    var presenceEvents = 0
    var otherEvents = 0
    var unexpectedCloses = 0
    var closeCodes: [Int: Int] = [:]
    /// Largest delay between a publish's due time and its send (the client's own lag).
    var maxSendLag: UInt64 = 0
    /// Seqs acknowledged, per channel index.
    var ackedSeqs: [Int: [Int64]] = [:]
    var ledgers: [SubscriberLedger] = []
    /// One line per acknowledged publish, when `--trace` is given.
    struct TraceLine: Sendable {
        var clientID: String
        var sentMicros: Int64
        var ackedMicros: Int64
        var seq: Int64
    }
    var trace: [TraceLine] = []

    mutating func add(_ other: ChatStats) {
        endToEnd.add(other.endToEnd)
        ack.add(other.ack)
        deliveries += other.deliveries
        deliveriesInWindow += other.deliveriesInWindow
        published += other.published
        acked += other.acked
        publishErrors += other.publishErrors
        retries += other.retries
        errorCodes.merge(other.errorCodes, uniquingKeysWith: +)
        wrongChannel += other.wrongChannel
        presenceEvents += other.presenceEvents
        otherEvents += other.otherEvents
        unexpectedCloses += other.unexpectedCloses
        closeCodes.merge(other.closeCodes, uniquingKeysWith: +)
        maxSendLag = max(maxSendLag, other.maxSendLag)
        ackedSeqs.merge(other.ackedSeqs, uniquingKeysWith: +)
        ledgers += other.ledgers
        trace += other.trace
    }
}

/// The verdict on delivery: every acknowledged message at every subscriber of its
/// channel, once, in order; no seq acknowledged twice or skipped.
struct DeliveryCheck: Sendable {
    struct ChannelProblem: Sendable {
        var channel: Int
        var description: String
    }

    var expected = 0
    var delivered = 0
    var duplicates = 0
    var gaps = 0
    var missing = 0
    /// Deliveries of seqs past the last acknowledged one (published but never acked).
    var unacknowledged = 0
    var problems: [ChannelProblem] = []

    var passed: Bool { problems.isEmpty && expected == delivered && duplicates == 0 && gaps == 0 }

    init(_ stats: ChatStats, channels: Int) {
        var acked = [[Int64]](repeating: [], count: channels)
        for (channel, seqs) in stats.ackedSeqs { acked[channel] = seqs.sorted() }
        var ledgersByChannel = [[SubscriberLedger]](repeating: [], count: channels)
        for ledger in stats.ledgers { ledgersByChannel[ledger.channel].append(ledger) }
        for channel in 0..<channels {
            let seqs = acked[channel]
            let last = Int64(seqs.count)
            if !seqs.enumerated().allSatisfy({ $0.element == Int64($0.offset + 1) }) {
                problems.append(.init(channel: channel, description: "acknowledged seqs are not 1...\(last): \(Self.summary(seqs))"))
            }
            for ledger in ledgersByChannel[channel] {
                expected += seqs.count
                // Received seqs strictly increase, so those past `last` are the final ones.
                let inRange = max(0, ledger.received - Int(max(0, ledger.lastSeq - last)))
                delivered += inRange
                unacknowledged += ledger.received - inRange
                duplicates += ledger.duplicates
                gaps += ledger.gaps
                missing += Int(max(0, last - ledger.lastSeq)) + Int(ledger.missing)
            }
            let short = ledgersByChannel[channel].filter { $0.received != seqs.count || $0.duplicates > 0 || $0.gaps > 0 }
            if let first = short.first {
                problems.append(.init(channel: channel, description: """
                    \(short.count) of \(ledgersByChannel[channel].count) subscribers wrong, e.g. received \(first.received) \
                    of \(seqs.count), last seq \(first.lastSeq), \(first.duplicates) duplicates, \(first.gaps) gaps
                    """))
            }
        }
    }

    private static func summary(_ seqs: [Int64]) -> String {
        seqs.count <= 10 ? "\(seqs)" : "\(seqs.prefix(5))…\(seqs.suffix(5)) (\(seqs.count))"
    }
}
