/// Packets waiting for their departure, earliest first (a binary min-heap; ties keep arrival order).
struct PacketQueue {
    struct Entry {
        var departure: UInt64
        var order: UInt64
        var port: Int
        var bytes: [UInt8]
    }

    private var heap: [Entry] = []
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextDeparture: UInt64? { heap.first?.departure }

    mutating func push(departure: UInt64, port: Int, bytes: [UInt8]) {
        heap.append(Entry(departure: departure, order: nextOrder, port: port, bytes: bytes))
        nextOrder &+= 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest entry if it is due at `now`.
    mutating func popDue(now: UInt64) -> Entry? {
        guard let first = heap.first, first.departure <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = parent * 2 + 1, right = left + 1
                var smallest = parent
                if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        (a.departure, a.order) < (b.departure, b.order)
    }
}
