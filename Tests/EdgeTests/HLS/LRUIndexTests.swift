@testable import StreamLyEdge
import Testing

@Suite struct LRUIndexTests {
    @Test func evictsLeastRecentlyUsedPastTheBudget() {
        var lru = LRUIndex<String, Int>(budget: 100)
        #expect(lru.insert("a", value: 1, cost: 40).isEmpty)
        #expect(lru.insert("b", value: 2, cost: 40).isEmpty)
        #expect(lru.get("a") == 1)  // b is now the oldest
        let evicted = lru.insert("c", value: 3, cost: 40)
        #expect(evicted.map(\.key) == ["b"])
        #expect(lru.totalCost == 80)
        #expect(lru.keysOldestFirst == ["a", "c"])
    }

    @Test func evictsAsManyAsNeeded() {
        var lru = LRUIndex<Int, Int>(budget: 100)
        for key in 0..<10 { lru.insert(key, value: key, cost: 10) }
        let evicted = lru.insert(99, value: 99, cost: 55)
        #expect(evicted.map(\.key) == [0, 1, 2, 3, 4, 5])
        #expect(lru.totalCost == 95)
        #expect(lru.count == 5)
    }

    @Test func oversizedEntriesAreNotKept() {
        var lru = LRUIndex<String, Int>(budget: 10)
        lru.insert("a", value: 1, cost: 5)
        let removed = lru.insert("big", value: 2, cost: 11)
        #expect(removed.map(\.key) == ["big"])
        #expect(lru.peek("a") == 1)
        #expect(lru.totalCost == 5)
    }

    @Test func replacingUpdatesTheCost() {
        var lru = LRUIndex<String, Int>(budget: 100)
        lru.insert("a", value: 1, cost: 60)
        let removed = lru.insert("a", value: 2, cost: 30)
        #expect(removed.map(\.value) == [1])
        #expect(lru.totalCost == 30)
        #expect(lru.get("a") == 2)
        #expect(lru.remove("a") == 2)
        #expect(lru.isEmpty && lru.totalCost == 0)
        #expect(lru.keysOldestFirst.isEmpty)
    }

    @Test func peekDoesNotRefresh() {
        var lru = LRUIndex<String, Int>(budget: 20)
        lru.insert("a", value: 1, cost: 10)
        lru.insert("b", value: 2, cost: 10)
        _ = lru.peek("a")
        #expect(lru.insert("c", value: 3, cost: 10).map(\.key) == ["a"])
    }
}
