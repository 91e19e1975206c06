import Logging
import Metrics
import StreamLyOriginNative
import StreamLyRetry
import Synchronization

/// A Kafka consumer that outlives its librdkafka client: `run` creates the consumer, hands
/// it to the body and, when the body ends with the consumer broken (a fatal librdkafka
/// error ends `records` with an error), creates a new one after a backoff and runs the body
/// again. Without this, a fatal error stopped the sequencer or the fan-out of an origin until
/// it restarted. Decisions are `StateMachine`'s.
final class SupervisedConsumer: Sendable {
    /// For logs and the readiness report, e.g. "chat-fanout".
    let name: String
    private let make: @Sendable () throws -> KafkaConsumer
    private let machine: Mutex<StateMachine>
    private let current = Mutex<KafkaConsumer?>(nil)
    private let logger: Logger
    private let replacementsCounter: Counter
    /// How long a consumer may take to join its group before a warning says so.
    let joinWarning: Duration

    init(name: String, retry: RetryPolicy = RetryPolicy(base: .milliseconds(200), cap: .seconds(5), floor: .zero, jitter: .none),
         joinWarning: Duration = .seconds(30),
         logger: Logger, make: @escaping @Sendable () throws -> KafkaConsumer) {
        self.name = name
        self.joinWarning = joinWarning
        self.make = make
        self.machine = Mutex(StateMachine(retry: retry))
        self.logger = logger
        self.replacementsCounter = Counter(label: "streamly_kafka_consumer_replacements_total", dimensions: [("consumer", name)])
    }

    /// Whether a consumer runs and holds partitions (for `/readyz`: a fan-out consumer that
    /// reads "from now on" misses whatever is written before it is assigned).
    var isAssigned: Bool { machine.withLock { $0.isAssigned } }

    /// Whether the running consumer has joined its group (`StateMachine.joined`).
    var hasJoined: Bool { machine.withLock { $0.joined } }

    /// Consumers replaced after a fatal error so far.
    var replacements: Int { machine.withLock { $0.replacements } }

    /// Runs `body` with a consumer until `close()`; `body` returns (or throws) when the
    /// consumer's records end.
    func run(_ body: @escaping @Sendable (KafkaConsumer) async throws -> Void) async {
        var action = machine.withLock { $0.start() }
        // A cancelled run creates no more consumers: a body ends at once under cancellation,
        // and without this check a shutting-down origin (its operator port taken, say)
        // replaced its consumers ~20 times a second instead of exiting.
        while case .create(let delay) = action, !Task.isCancelled {
            if delay > .zero { try? await Task.sleep(for: delay) }
            guard !Task.isCancelled else { break }
            let consumer: KafkaConsumer
            do {
                consumer = try make()
            } catch {
                action = machine.withLock { $0.creationFailed() }
                logger.error("kafka consumer cannot be created", metadata: ["consumer": "\(name)", "error": "\(error)"])
                continue
            }
            let closed = current.withLock { current in
                current = consumer
                return machine.withLock { machine in
                    machine.created()
                    return machine.state == .closed
                }
            }
            if closed {
                await consumer.close()
                break
            }
            let rebalances = Task {
                for await change in consumer.rebalances { machine.withLock { $0.rebalanced(change) } }
            }
            let joinWatch = Task { await warnIfNotJoined() }
            do {
                try await body(consumer)
            } catch {
                logger.error("kafka consumer failed", metadata: ["consumer": "\(name)", "error": "\(error)"])
            }
            joinWatch.cancel()
            action = machine.withLock { $0.ended() }
            if case .create = action {
                replacementsCounter.increment()
                logger.error("kafka consumer replaced by a new one", metadata: ["consumer": "\(name)"])
            }
            await consumer.close()
            await rebalances.value
            current.withLock { if $0 === consumer { $0 = nil } }
        }
    }

    /// Warns once if the consumer just created has not joined its group after `joinWarning`.
    /// An origin whose sequencer never joins still reports ready (in a shared group it may
    /// rightly hold no partition), and sequences nothing: this says why. Seen on noida-db,
    /// which keeps static members that died without leaving, so the group never completes a
    /// rebalance (docs/kafka.md).
    private func warnIfNotJoined() async {
        do { try await Task.sleep(for: joinWarning) } catch { return }
        guard !machine.withLock({ $0.joined || $0.state == .closed }) else { return }
        logger.warning("kafka consumer has not joined its group", metadata: [
            "consumer": "\(name)", "waited": "\(joinWarning)",
            "hint": "the broker may hold the group for members that are gone: see docs/kafka.md",
        ])
    }

    /// Leaves the group: closes the running consumer (ending its records, so `run` returns)
    /// and creates no other.
    func close() async {
        let consumer = current.withLock { current in
            machine.withLock { $0.close() }
            return current
        }
        await consumer?.close()
    }
}
