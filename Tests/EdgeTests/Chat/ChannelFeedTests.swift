import Testing
@testable import StreamLyEdge

@Suite("Channel feed ordering")
struct ChannelFeedTests {
    static func seqs(_ action: ChannelFeed<String>.Action) -> [Int64] {
        if case .deliver(let events) = action { return events.map(\.seq) }
        return []
    }

    @Test("in-order events pass through; duplicates and old events are dropped")
    func inOrder() {
        var feed = ChannelFeed<String>(lastSeq: 10)
        #expect(Self.seqs(feed.received(seq: 11, event: "a")) == [11])
        #expect(Self.seqs(feed.received(seq: 11, event: "a")) == [])
        #expect(Self.seqs(feed.received(seq: 5, event: "old")) == [])
        #expect(Self.seqs(feed.received(seq: 12, event: "b")) == [12])
        #expect(feed.released == 12)
    }

    @Test("a gap triggers one fetch; the fill releases everything in order")
    func gap() {
        var feed = ChannelFeed<String>(lastSeq: 0)
        guard case .fetch(0, 3) = feed.received(seq: 3, event: "c") else { Issue.record(); return }
        guard case .none = feed.received(seq: 4, event: "d") else { Issue.record(); return }
        #expect(Self.seqs(feed.filled([(1, "a"), (2, "b")])) == [1, 2, 3, 4])
        #expect(Self.seqs(feed.received(seq: 5, event: "e")) == [5])
    }

    @Test("events arriving while a fetch is in flight wait, even the next one in line")
    func waitDuringFetch() {
        var feed = ChannelFeed<String>(lastSeq: 0)
        _ = feed.received(seq: 2, event: "b")
        #expect(Self.seqs(feed.received(seq: 1, event: "a")) == [])
        #expect(Self.seqs(feed.filled([(1, "a")])) == [1, 2])
    }

    @Test("an empty gap fill skips the hole instead of stalling; a failed fetch is retried")
    func emptyFill() {
        var feed = ChannelFeed<String>(lastSeq: 0)
        _ = feed.received(seq: 3, event: "c")
        feed.fetchFailed()
        guard case .fetch(0, 3) = feed.received(seq: 4, event: "d") else { Issue.record(); return }
        #expect(Self.seqs(feed.filled([])) == [3, 4])
    }

    @Test("a partial gap fill (a page limit) releases what it can and fetches the rest on the next tick")
    func partialFill() {
        var feed = ChannelFeed<String>(lastSeq: 0)
        _ = feed.received(seq: 4, event: "d")
        #expect(Self.seqs(feed.filled([(1, "a")])) == [1])
        guard case .fetch(1, 4) = feed.tick() else { Issue.record(); return }
        #expect(Self.seqs(feed.filled([(2, "b"), (3, "c")])) == [2, 3, 4])
    }

    @Test("a quiet channel checks its tail after two ticks, then after 4, 8, 16, 16 while nothing is found")
    func tailCheckBackoff() {
        var feed = ChannelFeed<String>(lastSeq: 7, firstQuietTicks: 2, maxQuietTicks: 16)
        var checks: [Int] = []
        for beat in 1...80 {
            if case .fetch(let after, let before) = feed.tick() {
                #expect(after == 7 && before == ChannelFeed<String>.tail)
                checks.append(beat)
                #expect(Self.seqs(feed.filled([])) == [])
            }
        }
        #expect(checks == [2, 6, 14, 30, 46, 62, 78])
    }

    @Test("a tail check delivers the lost tail; live events reset the quiet time")
    func tailCheckFills() {
        var feed = ChannelFeed<String>(lastSeq: 0, firstQuietTicks: 2, maxQuietTicks: 16)
        #expect(Self.seqs(feed.received(seq: 1, event: "a")) == [1])
        guard case .none = feed.tick() else { Issue.record(); return }
        #expect(Self.seqs(feed.received(seq: 2, event: "b")) == [2])
        guard case .none = feed.tick() else { Issue.record(); return }
        guard case .fetch(2, ChannelFeed<String>.tail) = feed.tick() else { Issue.record(); return }
        // While the check is in flight a later live event waits; nothing else is fetched.
        #expect(Self.seqs(feed.received(seq: 5, event: "e")) == [])
        guard case .none = feed.tick() else { Issue.record(); return }
        #expect(Self.seqs(feed.filled([(3, "c"), (4, "d")])) == [3, 4, 5])
        #expect(feed.released == 5)
    }

    @Test("a tail check that raced a live event past a hole does not skip the hole: the next tick fetches it")
    func tailCheckRace() {
        var feed = ChannelFeed<String>(lastSeq: 10, firstQuietTicks: 1)
        guard case .fetch(10, ChannelFeed<String>.tail) = feed.tick() else { Issue.record(); return }
        _ = feed.received(seq: 12, event: "l")
        #expect(Self.seqs(feed.filled([])) == [])
        guard case .fetch(10, 12) = feed.tick() else { Issue.record(); return }
        #expect(Self.seqs(feed.filled([(11, "k")])) == [11, 12])
    }

    @Test("too many events above a gap: skip ahead")
    func overflow() {
        var feed = ChannelFeed<String>(lastSeq: 0, maxPending: 3)
        _ = feed.received(seq: 2, event: "b")
        _ = feed.received(seq: 3, event: "c")
        _ = feed.received(seq: 4, event: "d")
        #expect(Self.seqs(feed.received(seq: 5, event: "e")) == [2, 3, 4, 5])
    }
}
