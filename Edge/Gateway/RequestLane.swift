import NIOCore
import Synchronization

/// One connection's requests in the order they arrived, performed one at a time by a worker
/// task that exists only while there is work: the connection's handler `put`s (on its event
/// loop) and starts a worker when `put` says so; the worker `take`s, performs and reports each
/// `done` until the lane is empty, then ends. An idle connection has no task, so it holds
/// no task memory (the runtime keeps a task's slabs until it ends).
///
/// Bounded: with `capacity` requests waiting or in progress the handler stops reading the
/// connection (`holdsReader`), so TCP pushes back on the client instead of the edge buffering
/// without bound; `done` says when the reader may go on.
final class RequestLane<Item: Sendable>: Sendable {
    enum Next {
        case item(Item)
        /// Nothing waiting: the worker ends (the next `put` starts another).
        case idle
        /// The connection ended: the worker ends and does the connection's clean-up.
        case finished
    }

    private struct State {
        var items = CircularBuffer<Item>()
        /// A worker is running (performing an item or about to take one).
        var working = false
        /// The item taken and not yet done.
        var performing = false
        /// The reader stopped for want of room and must be told when there is some.
        var readerHeld = false
        var finished = false

        var pending: Int { items.count + (performing ? 1 : 0) }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `item` behind the ones before it. True: no worker is running, the caller
    /// starts one. After `finish` the item is dropped.
    func put(_ item: Item) -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            state.items.append(item)
            guard !state.working else { return false }
            state.working = true
            return true
        }
    }

    /// Whether the reader must stop: the lane is full. Then `done` returns true once there is
    /// room again.
    func holdsReader() -> Bool {
        state.withLock { state in
            guard !state.finished, state.pending >= capacity else { return false }
            state.readerHeld = true
            return true
        }
    }

    /// The worker's next item; `idle` or `finished` end the worker.
    func take() -> Next {
        state.withLock { state in
            if state.finished {
                state.working = false
                return .finished
            }
            guard let item = state.items.popFirst() else {
                state.working = false
                return .idle
            }
            state.performing = true
            return .item(item)
        }
    }

    /// The worker performed its item. True: the reader was held and may read again.
    func done() -> Bool {
        state.withLock { state in
            state.performing = false
            guard state.readerHeld, state.pending < capacity else { return false }
            state.readerHeld = false
            return true
        }
    }

    /// The connection ended: what waits is dropped. True: no worker is running, so the
    /// caller does the connection's clean-up (otherwise the worker does, after its item).
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            state.items.removeAll()
            state.readerHeld = false
            return !state.working
        }
    }

    /// Requests waiting or in progress.
    var pendingCount: Int { state.withLock { $0.pending } }
}
