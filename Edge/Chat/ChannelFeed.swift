/// Orders one channel's message events on this edge. Events reach the edge from every
/// origin it is linked to (duplicates) and can arrive out of order or with gaps (an
/// origin restarted); the feed releases each seq exactly once, in order, and asks for
/// the missing range when it sees a gap. A lost tail (the last events of a burst never
/// reached this edge, e.g. the broker lost them, so no later event reveals the gap) is found
/// by `tick()`: a channel quiet for a while asks for anything after what it released
/// (PostgreSQL is the record of truth). Pure: no I/O, no clock (the owner's timer ticks).
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
    /// Quiet ticks before the first tail check; the wait doubles (up to `maxQuietTicks`)
    /// while checks find nothing, and starts over when the channel shows life.
    let firstQuietTicks: Int
    let maxQuietTicks: Int
    /// Ticks since the channel last showed life (or since the last tail check).
    private var quietTicks = 0
    /// Quiet ticks that trigger the next tail check.
    private var quietTicksForCheck: Int

    /// The `before` of a tail check: everything after `released`.
    static var tail: Int64 { .max }

    init(lastSeq: Int64, maxPending: Int = 10_000, firstQuietTicks: Int = 2, maxQuietTicks: Int = 16) {
        self.released = lastSeq
        self.maxPending = maxPending
        self.firstQuietTicks = max(1, firstQuietTicks)
        self.maxQuietTicks = max(self.firstQuietTicks, maxQuietTicks)
        self.quietTicksForCheck = self.firstQuietTicks
    }

    /// A live event arrived.
    mutating func received(seq: Int64, event: Event) -> Action {
        guard seq > released, pending[seq] == nil else { return .none }
        heard()
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

    /// History for a requested gap or tail check arrived (in seq order; may be empty if the
    /// range no longer exists). Releases it and whatever waited above it.
    mutating func filled(_ events: [(seq: Int64, event: Event)]) -> Action {
        let wasTailCheck = fetchingBefore == Self.tail
        fetchingBefore = nil
        var out: [(seq: Int64, event: Event)] = []
        for (seq, event) in events where seq == released + 1 {
            released = seq
            out.append((seq, event))
        }
        if !out.isEmpty { heard() }
        if let lowest = pending.keys.min(), lowest > released + 1, out.isEmpty, !wasTailCheck {
            // A gap fetch found nothing of the hole (it no longer exists): skip it rather than
            // stall forever. A fill that made progress (a page limit) or a tail check that raced
            // a live event leaves the rest to the next event or tick.
            released = lowest - 1
        }
        out += drainContiguous()
        return out.isEmpty ? .none : .deliver(out)
    }

    /// One beat of the owner's timer. A hole left by a partial fill is fetched at once; a
    /// channel quiet for long enough is asked for anything after `released` (a tail check:
    /// `.fetch(after: released, before: ChannelFeed.tail)`), the wait doubling while checks
    /// find nothing. Nothing while a fetch is in flight.
    mutating func tick() -> Action {
        guard fetchingBefore == nil else { return .none }
        if let lowest = pending.keys.min() {
            fetchingBefore = lowest
            return .fetch(after: released, before: lowest)
        }
        quietTicks += 1
        guard quietTicks >= quietTicksForCheck else { return .none }
        quietTicks = 0
        quietTicksForCheck = min(quietTicksForCheck * 2, maxQuietTicks)
        fetchingBefore = Self.tail
        return .fetch(after: released, before: Self.tail)
    }

    /// The channel showed life: the next tail check comes after the shortest quiet time.
    private mutating func heard() {
        quietTicks = 0
        quietTicksForCheck = firstQuietTicks
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
