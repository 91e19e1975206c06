import Synchronization

/// The work did not finish within its deadline (`withDeadline`).
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
    public let timeout: Duration
    public var description: String { "no answer within \(timeout)" }
}

/// `body`'s result, or `DeadlineExceeded` once `timeout` has passed without one. The body is
/// cancelled then but not awaited (a query on a connection that died unnoticed may never
/// return): use it only for work that is safe to repeat, like an idempotent append.
///
/// The timer is one of `CoarseTimers.shared` (it fires within 10 ms after `timeout`),
/// cancelled as soon as the body answers. (It was a task sleeping for `timeout`, and before
/// that one never cancelled: at 500 appends a second with a 10 s deadline, 5,000 sleeping
/// tasks, each holding its memory until it woke for nothing.)
public func withDeadline<Result: Sendable>(_ timeout: Duration,
                                           _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let race = DeadlineRace()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
        let timer = CoarseTimers.shared.schedule(after: timeout) {
            guard race.claim() else { return }
            continuation.resume(throwing: DeadlineExceeded(timeout: timeout))
            race.timedOut()
        }
        race.started(Task {
            let result: Swift.Result<Result, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            guard race.claim() else { return }
            CoarseTimers.shared.cancel(timer)
            continuation.resume(with: result)
        })
    }
}

/// Who answers a `withDeadline` call first, the body or the timer; the body's task, cancelled
/// when the timer wins (also when it wins before the task is known).
private final class DeadlineRace: Sendable {
    private struct State {
        var claimed = false
        var timedOut = false
        var work: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// True for the first caller only.
    func claim() -> Bool {
        state.withLock { state in
            defer { state.claimed = true }
            return !state.claimed
        }
    }

    func started(_ work: Task<Void, Never>) {
        let cancel = state.withLock { state -> Bool in
            state.work = work
            return state.timedOut
        }
        if cancel { work.cancel() }
    }

    func timedOut() {
        let work = state.withLock { state -> Task<Void, Never>? in
            state.timedOut = true
            return state.work
        }
        work?.cancel()
    }
}
