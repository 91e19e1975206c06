import StreamLyRetry
import StreamLyStore

extension TranscodeJobRunner {
    /// The decisions of one transcode job, without I/O or clock reads: when to claim the video,
    /// how long to wait, when an attempt runs, when it is retried and how the job ends.
    /// `TranscodeJobRunner.run` owns one per job and performs the actions.
    ///
    /// Attempts are numbered by PostgreSQL (`VideoStore.startAttempt`; a worker that died
    /// mid-job used one). A failing attempt is retried after `retry`'s delay for it; after
    /// `retry.maxAttempts` attempts the job fails with the last reason. Input FFmpeg cannot
    /// use and a missing source fail at once; a lost lease or a shutdown end the job without
    /// failing the video.
    struct StateMachine: Sendable {
        enum State: Equatable, Sendable {
            /// Claiming the video (`startAttempt`).
            case claiming
            /// Waiting before claiming again (video busy, database unreachable, retry delay).
            case waiting
            /// Running attempt `attempt`, started at `started`.
            case running(attempt: Int, started: ContinuousClock.Instant)
            case ended(Outcome)
        }

        /// Why an attempt did not produce the ladder.
        enum Failure: Equatable, Sendable {
            /// Another worker took the video over (this one's lease lapsed).
            case leaseLost
            /// The worker is shutting down.
            case cancelled
            /// The source is not a usable video: FFmpeg's reason.
            case invalidMedia(String)
            /// The uploaded source is not in the object store.
            case sourceMissing
            /// Anything else (storage, encoder): retried.
            case other(String)
        }

        enum Action: Equatable, Sendable {
            /// Claim the video with `VideoStore.startAttempt`, then call `attemptStarted` (or
            /// `attemptNotStarted` if PostgreSQL did not answer).
            case claim
            /// Sleep, then call `waited` (or `cancelled` if the sleep was cancelled).
            case wait(Duration)
            /// Announce the attempt and run it; then call `attemptSucceeded` or `attemptFailed`.
            case transcode(attempt: Int)
            /// The job ended `ready` after an attempt of `duration`.
            case ready(duration: Duration)
            /// Record the video `failed` with `reason` for attempt `attempt` (the job ends `failed`).
            case fail(attempt: Int, reason: String)
            /// Give attempt `attempt` back (shutting down: it does not count); the job ends `interrupted`.
            case release(attempt: Int)
            /// The job ended without a state change to record.
            case end(Outcome)
        }

        private(set) var state: State = .claiming
        /// Delays between attempts, and how many attempts a video gets.
        let retry: RetryPolicy
        /// How long to wait for another worker holding the video.
        let busyWait: Duration
        /// How long to wait for PostgreSQL to answer again.
        let unavailableWait: Duration
        /// The reason of the last failed attempt.
        private var lastError: String?

        init(retry: RetryPolicy, busyWait: Duration, unavailableWait: Duration = .seconds(2)) {
            self.retry = retry
            self.busyWait = busyWait
            self.unavailableWait = unavailableWait
        }

        /// The first action of a job.
        mutating func start() -> Action {
            state = .claiming
            return .claim
        }

        /// `startAttempt` answered.
        mutating func attemptStarted(_ start: VideoStore.AttemptStart, now: ContinuousClock.Instant) -> Action {
            switch start {
            case .finished:
                return end(.skipped)
            case .busy:
                // Another worker holds it: wait for it to finish or for its lease to lapse.
                state = .waiting
                return .wait(busyWait)
            case .started(let attempt):
                guard retry.allowsAttempt(after: attempt - 1) else {
                    state = .ended(.failed)
                    return .fail(attempt: attempt, reason: "gave up after \(retry.maxAttempts ?? attempt) attempts: "
                                 + (lastError ?? "a worker stopped mid-job"))
                }
                state = .running(attempt: attempt, started: now)
                return .transcode(attempt: attempt)
            }
        }

        /// `startAttempt` failed (PostgreSQL unreachable).
        mutating func attemptNotStarted() -> Action {
            state = .waiting
            return .wait(unavailableWait)
        }

        /// A wait ended.
        mutating func waited() -> Action {
            state = .claiming
            return .claim
        }

        /// The job was cancelled outside an attempt (a wait, or before claiming).
        mutating func cancelled() -> Action {
            end(.interrupted)
        }

        /// The running attempt stored the ladder and marked the video ready.
        mutating func attemptSucceeded(now: ContinuousClock.Instant) -> Action {
            guard case .running(_, let started) = state else { return end(.interrupted) }
            state = .ended(.ready)
            return .ready(duration: started.duration(to: now))
        }

        /// The running attempt failed.
        mutating func attemptFailed(_ failure: Failure) -> Action {
            guard case .running(let attempt, _) = state else { return end(.interrupted) }
            switch failure {
            case .leaseLost:
                return end(.skipped)
            case .cancelled:
                state = .ended(.interrupted)
                return .release(attempt: attempt)
            case .invalidMedia(let reason):
                state = .ended(.failed)
                return .fail(attempt: attempt, reason: reason)
            case .sourceMissing:
                state = .ended(.failed)
                return .fail(attempt: attempt, reason: "the uploaded source is missing from storage")
            case .other(let reason):
                lastError = reason
                guard retry.allowsAttempt(after: attempt) else {
                    state = .ended(.failed)
                    return .fail(attempt: attempt, reason: "gave up after \(attempt) attempts: \(reason)")
                }
                state = .waiting
                return .wait(retry.delay(attempt: attempt - 1, unit: 0))
            }
        }

        private mutating func end(_ outcome: Outcome) -> Action {
            state = .ended(outcome)
            return .end(outcome)
        }
    }
}

extension RetryPolicy {
    /// Retrying a transcode attempt: `base` doubling per attempt up to 64 × `base`, no jitter,
    /// `maxAttempts` attempts in all (`transcode.retry.base.ms`, `transcode.max.attempts`).
    static func transcode(base: Duration, maxAttempts: Int) -> RetryPolicy {
        RetryPolicy(base: base, cap: base * 64, floor: .zero, jitter: .none, maxAttempts: maxAttempts)
    }
}
