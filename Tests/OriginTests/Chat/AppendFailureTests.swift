import StreamLyRetry
import StreamLyStore
import Testing
@testable import StreamLyOrigin

@Suite("What the sequencer does after a failed append")
struct AppendFailureTests {
    struct ConnectionLost: Error {}

    static let policy = MessageSequencer.retryPolicy(maxAttempts: 4)

    @Test("a passing failure is retried with backoff, at most maxAttempts appends in all, then given up")
    func boundedRetries() {
        var decisions: [AppendFailure.Decision] = []
        for failed in 1...4 { decisions.append(AppendFailure.decide(ConnectionLost(), failedAttempts: failed, policy: Self.policy)) }
        #expect(decisions.prefix(3) == [.retry(after: .milliseconds(50)), .retry(after: .milliseconds(100)),
                                         .retry(after: .milliseconds(200))])
        guard case .reject(let rejection) = decisions.last else {
            Issue.record("the fourth failure was retried: \(decisions)")
            return
        }
        #expect(rejection.reason == .retriesExhausted && rejection.code == .unavailable)
        #expect(rejection.message.contains("retry with the same client_id"))
        #expect(rejection.detail.contains("4 attempts") && rejection.detail.contains("ConnectionLost"))
    }

    @Test("what the store refuses for what it carries is given up at once, without its internals in the answer")
    func refusedAtOnce() {
        for error in [StoreError(.invalidInput, "body contains U+0000"), StoreError(.notFound, "author not found")] {
            guard case .reject(let rejection) = AppendFailure.decide(error, failedAttempts: 1, policy: Self.policy) else {
                Issue.record("\(error) was retried")
                continue
            }
            #expect(rejection.reason == .refused && rejection.code == .invalidInput)
            #expect(!rejection.message.contains(error.message) && rejection.detail.contains(error.message))
        }
    }

    @Test("the sequencer's default bound: about a minute of backoff")
    func defaultBound() {
        let policy = MessageSequencer.retryPolicy(maxAttempts: MessageSequencer.defaultMaxAttempts)
        let waits = (1..<MessageSequencer.defaultMaxAttempts).map { policy.delay(attempt: $0 - 1, unit: 0) }
        let total = waits.reduce(Duration.zero, +)
        #expect(total > .seconds(30) && total < .seconds(120), "\(total)")
        #expect(!policy.allowsAttempt(after: MessageSequencer.defaultMaxAttempts))
    }
}
