/// Orders one channel's message events on this edge. Events reach the edge from every
/// origin it is linked to (duplicates) and can arrive out of order or with gaps (an
/// origin restarted); the feed releases each seq exactly once, in order, and asks for
/// the missing range when it sees a gap. Pure: no I/O, no clock.
struct ChannelFeed<Event: Sendable>: Sendable {
    enum Action: Sendable {
        /// Deliver these events, in order, to the channel's subscribers.
        case deliver([(seq: Int64, event: Event)])
        /// Fetch history for seqs in `after+1 ... before-1`, then call `filled`.
        case fetch(after: Int64, before: Int64)
        case none
    }

    /// Highest seq released so far.
    private(set) var released: Int64
    /// Events above a gap, waiting for it to be filled.
    private var pending: [Int64: Event] = [:]
    /// A gap fetch is in flight for `released+1 ..< fetchingBefore`.
    private var fetchingBefore: Int64?
    /// Most events held above a gap before the feed gives up waiting and skips ahead.
    let maxPending: Int

    init(lastSeq: Int64, maxPending: Int = 10_000) {
        self.released = lastSeq
        self.maxPending = maxPending
    }

    /// A live event arrived.
    mutating func received(seq: Int64, event: Event) -> Action {
        guard seq > released, pending[seq] == nil else { return .none }
        if seq == released + 1, fetchingBefore == nil {
            released = seq
            return .deliver([(seq, event)] + drainContiguous())
        }
        pending[seq] = event
        if pending.count > maxPending {
            // The gap will not be filled in time: release what we have and move on.
            let lowest = pending.keys.min()!
            released = lowest - 1
            fetchingBefore = nil
            return .deliver(drainContiguous())
        }
        guard fetchingBefore == nil else { return .none }
        let before = pending.keys.min()!
        fetchingBefore = before
        return .fetch(after: released, before: before)
    }

    /// History for a requested gap arrived (in seq order; may be empty if the range
    /// no longer exists). Releases it and whatever waited above it.
    mutating func filled(_ events: [(seq: Int64, event: Event)]) -> Action {
        fetchingBefore = nil
        var out: [(seq: Int64, event: Event)] = []
        for (seq, event) in events where seq == released + 1 {
            released = seq
            out.append((seq, event))
        }
        if let lowest = pending.keys.min(), lowest > released + 1 {
            // Still a hole (the fetch came back short): skip it rather than stall forever.
            released = lowest - 1
        }
        out += drainContiguous()
        return out.isEmpty ? .none : .deliver(out)
    }

    /// The fetch failed: try again on the next event, keeping what is pending.
    mutating func fetchFailed() {
        fetchingBefore = nil
    }

    private mutating func drainContiguous() -> [(seq: Int64, event: Event)] {
        var out: [(seq: Int64, event: Event)] = []
        while let next = pending.removeValue(forKey: released + 1) {
            released += 1
            out.append((released, next))
        }
        return out
    }
}
