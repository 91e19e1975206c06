extension EventProducer {
    /// Whether the producer can write, from the outcomes of the records it settled. No I/O.
    struct Health: Sendable, Equatable {
        /// Records that failed since the last one written.
        private(set) var consecutiveFailures = 0

        /// A record was acknowledged.
        mutating func delivered() { consecutiveFailures = 0 }

        /// A record was not written (broker unreachable past `message.timeout.ms`, a fatal
        /// producer, a purge on replacement).
        mutating func failed() { consecutiveFailures += 1 }

        /// Ready: the last settled record was written (or none was settled yet).
        var canProduce: Bool { consecutiveFailures == 0 }

        /// A probe record should test the producer (nothing else may be writing).
        var needsProbe: Bool { consecutiveFailures > 0 }
    }
}
