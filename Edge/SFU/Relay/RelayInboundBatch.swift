import NIOCore

/// A read batch's datagrams for links on other loops than the socket's, handed to each loop in
/// one task (not one per datagram), in arrival order. A link on the socket's loop gets its
/// datagram at once.
struct RelayInboundBatch {
    private var loops: [(loop: any EventLoop, items: [(entry: RelayServer.Entry, inbound: RelayServer.Inbound)])] = []

    mutating func append(_ inbound: RelayServer.Inbound, for entry: RelayServer.Entry) {
        if entry.loop.inEventLoop {
            entry.deliver(inbound)
        } else if let index = loops.firstIndex(where: { $0.loop === entry.loop }) {
            loops[index].items.append((entry, inbound))
        } else {
            loops.append((entry.loop, [(entry, inbound)]))
        }
    }

    /// Hands every other loop its datagrams.
    mutating func deliver() {
        for index in loops.indices where !loops[index].items.isEmpty {
            let items = loops[index].items
            loops[index].items.removeAll(keepingCapacity: true)
            loops[index].loop.execute {
                for item in items { item.entry.deliver(item.inbound) }
            }
        }
    }
}
