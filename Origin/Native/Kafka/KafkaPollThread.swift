import Foundation
import Synchronization

/// A dedicated OS thread that calls a blocking librdkafka poll function in a loop until
/// stopped, so those calls never occupy a thread of Swift's cooperative pool.
final class KafkaPollThread: Sendable {
    private struct State {
        var exited = false
        var joiners: [CheckedContinuation<Void, Never>] = []
    }

    private let stopRequested = Atomic<Bool>(false)
    private let state = Mutex(State())

    /// Starts the thread. `iteration` runs until `requestStop()` (or until it returns false);
    /// `finish` runs once on the thread after the last iteration. Both closures, and what they
    /// capture, are released when the thread exits.
    init(name: String, iteration: @escaping @Sendable () -> Bool, finish: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring), iteration() {}
            finish()
            let joiners = state.withLock { state in
                state.exited = true
                defer { state.joiners = [] }
                return state.joiners
            }
            for joiner in joiners { joiner.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop after the current iteration; does not wait.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Whether `requestStop()` was called.
    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Waits until the thread has run `finish` and exited its loop.
    func join() async {
        await withCheckedContinuation { continuation in
            let exited = state.withLock { state in
                if !state.exited { state.joiners.append(continuation) }
                return state.exited
            }
            if exited { continuation.resume() }
        }
    }
}
