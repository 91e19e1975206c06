import StreamLyRetry
import Testing
@testable import StreamLyOrigin

@Suite("TranscodeJobRunner.StateMachine: attempts, waits, retries and outcomes")
struct TranscodeJobRunnerStateMachineTests {
    typealias Machine = TranscodeJobRunner.StateMachine
    static let start = ContinuousClock.now

    static func machine(maxAttempts: Int = 3, base: Duration = .seconds(2)) -> Machine {
        var settings = TranscodeSettings()
        settings.maxAttempts = maxAttempts
        settings.retryBase = base
        settings.leaseSeconds = 60
        return Machine(retry: settings.retry, busyWait: settings.leaseRenewal)
    }

    @Test func firstAttemptSucceedsWithItsDuration() {
        var machine = Self.machine()
        #expect(machine.start() == .claim)
        #expect(machine.attemptStarted(.started(1), now: Self.start) == .transcode(attempt: 1))
        #expect(machine.attemptSucceeded(now: Self.start + .seconds(7)) == .ready(duration: .seconds(7)))
        #expect(machine.state == .ended(.ready))
    }

    @Test func finishedVideoIsSkipped() {
        var machine = Self.machine()
        _ = machine.start()
        #expect(machine.attemptStarted(.finished, now: Self.start) == .end(.skipped))
    }

    @Test func busyVideoWaitsAQuarterLeaseThenClaimsAgain() {
        var machine = Self.machine()
        _ = machine.start()
        #expect(machine.attemptStarted(.busy, now: Self.start) == .wait(.seconds(15)))
        #expect(machine.waited() == .claim)
        #expect(machine.attemptStarted(.started(1), now: Self.start) == .transcode(attempt: 1))
    }

    @Test func unreachableDatabaseWaitsTwoSeconds() {
        var machine = Self.machine()
        _ = machine.start()
        #expect(machine.attemptNotStarted() == .wait(.seconds(2)))
        #expect(machine.cancelled() == .end(.interrupted))
    }

    @Test func failuresRetryWithDoublingDelaysThenFailWithTheLastReason() {
        var machine = Self.machine(maxAttempts: 3, base: .seconds(2))
        _ = machine.start()
        #expect(machine.attemptStarted(.started(1), now: Self.start) == .transcode(attempt: 1))
        #expect(machine.attemptFailed(.other("disk full")) == .wait(.seconds(2)))
        #expect(machine.waited() == .claim)
        #expect(machine.attemptStarted(.started(2), now: Self.start) == .transcode(attempt: 2))
        #expect(machine.attemptFailed(.other("disk full")) == .wait(.seconds(4)))
        _ = machine.waited()
        #expect(machine.attemptStarted(.started(3), now: Self.start) == .transcode(attempt: 3))
        #expect(machine.attemptFailed(.other("encoder broke")) == .fail(attempt: 3, reason: "gave up after 3 attempts: encoder broke"))
        #expect(machine.state == .ended(.failed))
    }

    @Test func retryDelayIsCappedAtSixtyFourTimesTheBase() {
        let policy = TranscodeSettings().retry
        #expect(policy.delay(attempt: 6, unit: 0.5) == .seconds(128))
        #expect(policy.delay(attempt: 20, unit: 0.5) == .seconds(128))
        #expect(RetryPolicy.transcode(base: .zero, maxAttempts: 1).delay(attempt: 3, unit: 0) == .zero)
    }

    @Test func attemptBeyondTheLimitFailsWithTheLastReasonOrADeadWorker() {
        var machine = Self.machine(maxAttempts: 2)
        _ = machine.start()
        #expect(machine.attemptStarted(.started(3), now: Self.start)
                == .fail(attempt: 3, reason: "gave up after 2 attempts: a worker stopped mid-job"))

        var retried = Self.machine(maxAttempts: 2)
        _ = retried.start()
        _ = retried.attemptStarted(.started(1), now: Self.start)
        _ = retried.attemptFailed(.other("timeout"))
        _ = retried.waited()
        // The worker running attempt 2 died; the next one gets attempt 3.
        #expect(retried.attemptStarted(.started(3), now: Self.start)
                == .fail(attempt: 3, reason: "gave up after 2 attempts: timeout"))
    }

    @Test func unusableInputAndMissingSourceFailAtOnce() {
        var machine = Self.machine()
        _ = machine.start()
        _ = machine.attemptStarted(.started(1), now: Self.start)
        #expect(machine.attemptFailed(.invalidMedia("input has no video stream"))
                == .fail(attempt: 1, reason: "input has no video stream"))

        var missing = Self.machine()
        _ = missing.start()
        _ = missing.attemptStarted(.started(2), now: Self.start)
        #expect(missing.attemptFailed(.sourceMissing)
                == .fail(attempt: 2, reason: "the uploaded source is missing from storage"))
    }

    @Test func lostLeaseSkipsAndShutdownReleasesTheAttempt() {
        var machine = Self.machine()
        _ = machine.start()
        _ = machine.attemptStarted(.started(1), now: Self.start)
        #expect(machine.attemptFailed(.leaseLost) == .end(.skipped))

        var stopping = Self.machine()
        _ = stopping.start()
        _ = stopping.attemptStarted(.started(2), now: Self.start)
        #expect(stopping.attemptFailed(.cancelled) == .release(attempt: 2))
        #expect(stopping.state == .ended(.interrupted))
    }
}
