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

    @Test("a short fill skips the hole instead of stalling; a failed fetch is retried")
    func shortFill() {
        var feed = ChannelFeed<String>(lastSeq: 0)
        _ = feed.received(seq: 3, event: "c")
        feed.fetchFailed()
        guard case .fetch(0, 3) = feed.received(seq: 4, event: "d") else { Issue.record(); return }
        #expect(Self.seqs(feed.filled([(1, "a")])) == [1, 3, 4])
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
