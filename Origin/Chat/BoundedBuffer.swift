import Synchronization

/// A first-in first-out queue from one writer to one reader with backpressure: `append` waits
/// while more than `limit` elements are queued, and `nextBatch` waits until there is something
/// to take or the writer finished. Waiting is a suspended continuation, woken by the other
/// side; no polling.
final class BoundedBuffer<Element: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Void, Never>

    private struct State {
        var elements: [Element] = []
        var finished = false
        /// The writer, waiting for the queue to shrink to `limit`.
        var writer: Waiter?
        /// The reader, waiting for an element or the end.
        var reader: Waiter?
    }

    private enum Side { case writer, reader }

    /// Most elements queued before `append` waits (an `append` may take it to `limit + 1`).
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `element`, first waiting while more than `limit` are queued. Throws
    /// `CancellationError` if the task is cancelled while it waits.
    func append(_ element: Element) async throws {
        while state.withLock({ $0.elements.count > limit }) {
            await wait(as: .writer) { $0.elements.count <= self.limit }
            try Task.checkCancellation()
        }
        let reader = state.withLock { state -> Waiter? in
            state.elements.append(element)
            return Self.take(.reader, from: &state)
        }
        reader?.resume()
    }

    /// Ends the queue: the reader gets what is queued, then nil.
    func finish() {
        state.withLock { state -> Waiter? in
            state.finished = true
            return Self.take(.reader, from: &state)
        }?.resume()
    }

    /// Up to `maxCount` elements from the front, waiting while the queue is empty; nil once the
    /// writer finished and everything was taken, or when the task is cancelled while it waits.
    func nextBatch(maxCount: Int) async -> [Element]? {
        while true {
            let (batch, writer, ended) = state.withLock { state -> ([Element], Waiter?, Bool) in
                let batch = Array(state.elements.prefix(maxCount))
                state.elements.removeFirst(batch.count)
                let writer = state.elements.count <= limit ? Self.take(.writer, from: &state) : nil
                return (batch, writer, state.finished)
            }
            writer?.resume()
            if !batch.isEmpty { return batch }
            if ended || Task.isCancelled { return nil }
            await wait(as: .reader) { !$0.elements.isEmpty || $0.finished }
        }
    }

    /// Suspends until the other side wakes `side`, unless `ready` already holds; a cancelled
    /// task is woken at once.
    private func wait(as side: Side, until ready: @escaping @Sendable (State) -> Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let now = state.withLock { state -> Bool in
                    if ready(state) || Task.isCancelled { return true }
                    switch side {
                    case .writer: state.writer = continuation
                    case .reader: state.reader = continuation
                    }
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { Self.take(side, from: &$0) }?.resume()
        }
    }

    private static func take(_ side: Side, from state: inout State) -> Waiter? {
        switch side {
        case .writer:
            defer { state.writer = nil }
            return state.writer
        case .reader:
            defer { state.reader = nil }
            return state.reader
        }
    }
}
