import Synchronization

/// One connection's requests in the order they arrived: the read loop `put`s, one consumer
/// decides and performs them (`items`) and reports each `done`. Bounded: with `capacity` requests
/// waiting, `put` suspends, so the connection's frames stay unread and TCP pushes back on
/// the client instead of the edge buffering without bound.
final class RequestLane<Item: Sendable>: Sendable {
    private struct State {
        /// Requests put and not yet done (the one being performed included).
        var pending = 0
        /// The reader, waiting for room (there is one reader per connection).
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    let capacity: Int
    let items: AsyncStream<Item>
    private let input: AsyncStream<Item>.Continuation
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        (items, input) = AsyncStream.makeStream(of: Item.self)
    }

    /// Queues `item` behind the ones before it; waits while the lane is full. After
    /// `finish` it returns at once and drops the item.
    func put(_ item: Item) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                if state.finished || state.pending < capacity {
                    state.pending += 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if admitted { continuation.resume() }
        }
        input.yield(item)
    }

    /// Whether the reader is waiting for room (the connection is not being read).
    var isReaderWaiting: Bool { state.withLock { $0.waiter != nil } }
    /// Requests put and not yet done.
    var pendingCount: Int { state.withLock { $0.pending } }

    /// The consumer performed one item: its place goes to the waiting reader, if any.
    func done() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending -= 1
            return nil
        }
        waiter?.resume()
    }

    /// The connection ended: wake the reader and end `items` after what is queued.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        input.finish()
    }
}
