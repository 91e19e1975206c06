import Synchronization

/// The work did not finish within its deadline (`withDeadline`).
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
    public let timeout: Duration
    public var description: String { "no answer within \(timeout)" }
}

/// `body`'s result, or `DeadlineExceeded` once `timeout` has passed without one. The body is
/// cancelled then but not awaited (a query on a connection that died unnoticed may never
/// return): use it only for work that is safe to repeat, like an idempotent append.
public func withDeadline<Result: Sendable>(_ timeout: Duration,
                                           _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let once = Once()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
        let work = Task {
            let result: Swift.Result<Result, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            if once.claim() { continuation.resume(with: result) }
        }
        Task {
            try? await Task.sleep(for: timeout)
            if once.claim() { continuation.resume(throwing: DeadlineExceeded(timeout: timeout)) }
            work.cancel()
        }
    }
}

/// True for the first caller of `claim()` only.
private final class Once: Sendable {
    private let claimed = Mutex(false)
    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
