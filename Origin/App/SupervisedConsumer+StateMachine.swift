import StreamLyOriginNative
import StreamLyRetry

extension SupervisedConsumer {
    /// The decisions of a supervised consumer: when to (re-)create it, how long to wait
    /// before that, whether it holds partitions (readiness). No I/O, no clock.
    struct StateMachine: Sendable {
        enum State: Sendable, Equatable {
            /// No consumer (not started yet, or between a failure and its replacement).
            case waiting
            /// A consumer runs; `assigned` is its current assignment.
            case running(assigned: Set<KafkaTopicPartition>)
            /// Closed for good (shutdown).
            case closed
        }

        /// What the owner does next.
        enum Action: Sendable, Equatable {
            /// Create a consumer after waiting this long (zero: at once).
            case create(after: Duration)
            /// Stop supervising: the supervisor was closed.
            case stop
        }

        private(set) var state: State = .waiting
        /// Consecutive failures (creation or a fatal end) since the last consumer that got
        /// partitions; sets the backoff.
        private(set) var failures = 0
        /// Consumers replaced after a fatal error, in total.
        private(set) var replacements = 0
        /// The running consumer completed a join of its group (it got an assignment, perhaps
        /// an empty one: a group may have more members than partitions).
        private(set) var joined = false
        let retry: RetryPolicy

        init(retry: RetryPolicy) {
            self.retry = retry
        }

        /// The supervisor starts.
        mutating func start() -> Action {
            state == .closed ? .stop : .create(after: .zero)
        }

        /// A consumer was created and subscribed.
        mutating func created() {
            guard state != .closed else { return }
            state = .running(assigned: [])
            joined = false
        }

        /// Creating a consumer failed (bad configuration is caught at start-up; this is the
        /// broker or memory): try again with backoff.
        mutating func creationFailed() -> Action {
            guard state != .closed else { return .stop }
            state = .waiting
            failures += 1
            return .create(after: retry.delay(attempt: failures - 1, unit: 0))
        }

        /// The consumer's records ended: by `close()` (stop), or by a fatal error, after which
        /// librdkafka's client is unusable and a new one must take its place (the group
        /// reassigns its partitions; uncommitted records are read again).
        mutating func ended() -> Action {
            guard state != .closed else { return .stop }
            state = .waiting
            failures += 1
            replacements += 1
            return .create(after: retry.delay(attempt: failures - 1, unit: 0))
        }

        mutating func rebalanced(_ change: KafkaRebalance) {
            guard case .running(var assigned) = state else { return }
            switch change {
            case .assigned(let partitions):
                assigned.formUnion(partitions)
                joined = true
                if !partitions.isEmpty { failures = 0 }
            case .revoked(let partitions, _):
                assigned.subtract(partitions)
            }
            state = .running(assigned: assigned)
        }

        /// Shutdown: whatever runs is closed by the owner, nothing is created again.
        mutating func close() {
            state = .closed
        }

        /// Whether a consumer runs and holds at least one partition.
        var isAssigned: Bool {
            if case .running(let assigned) = state { return !assigned.isEmpty }
            return false
        }
    }
}
