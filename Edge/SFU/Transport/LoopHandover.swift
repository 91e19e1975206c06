import NIOCore

/// What one read batch of a socket found for other event loops' transports or links, handed to
/// each loop in one task at the end of the batch (`channelReadComplete`) instead of one task per
/// datagram, in arrival order. The media socket and the relay socket each keep one.
struct LoopHandover<Item: Sendable> {
    private var loops: [(loop: any EventLoop, items: [Item])] = []

    mutating func append(_ item: Item, for loop: any EventLoop) {
        if let index = loops.firstIndex(where: { $0.loop === loop }) {
            loops[index].items.append(item)
        } else {
            loops.append((loop, [item]))
        }
    }

    /// Hands every loop its items, each to `handle` on that loop.
    mutating func deliver(_ handle: @escaping @Sendable (Item) -> Void) {
        for index in loops.indices where !loops[index].items.isEmpty {
            let items = loops[index].items
            loops[index].items.removeAll(keepingCapacity: true)
            loops[index].loop.execute {
                for item in items { handle(item) }
            }
        }
    }
}
