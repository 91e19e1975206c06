import StreamLyRetry
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("without jitter the wait is the ceiling, doubling from base to cap")
    func noJitter() {
        let policy = RetryPolicy.storageWrite
        #expect(policy.delay(attempt: 0, unit: 0.3) == .milliseconds(50))
        #expect(policy.delay(attempt: 1, unit: 0.9) == .milliseconds(100))
        #expect(policy.delay(attempt: 5, unit: 0) == .milliseconds(1_600))
        #expect(policy.delay(attempt: 6, unit: 0) == .seconds(2))
        #expect(policy.delay(attempt: 10_000, unit: 0) == .seconds(2))
    }

    @Test("full jitter stays within [floor, ceiling]")
    func fullJitter() {
        let policy = RetryPolicy(base: .milliseconds(10), cap: .seconds(1), floor: .milliseconds(2))
        for attempt in 0..<40 {
            for unit in stride(from: 0.0, to: 1.0, by: 0.125) {
                let delay = policy.delay(attempt: attempt, unit: unit)
                #expect(delay >= .milliseconds(2))
                #expect(delay <= policy.ceiling(attempt: attempt))
            }
        }
        #expect(policy.delay(attempt: 0, unit: -5) == .milliseconds(2))
        #expect(policy.delay(attempt: 0, unit: 7) == .milliseconds(10))
    }

    @Test("a bounded policy allows exactly maxAttempts attempts; an unbounded one always another")
    func attempts() {
        let bounded = RetryPolicy(maxAttempts: 3)
        #expect((0...4).map(bounded.allowsAttempt(after:)) == [true, true, true, false, false])
        #expect(RetryPolicy.linkReconnect.allowsAttempt(after: 1_000_000))
    }

    @Test("sleeps on the clock it is given")
    func sleepsOnTheGivenClock() async throws {
        let clock = ContinuousClock()
        let policy = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(1), floor: .zero, jitter: .none)
        let elapsed = try await clock.measure { try await policy.sleep(beforeAttempt: 0, on: clock) }
        #expect(elapsed >= .milliseconds(1))
    }
}
