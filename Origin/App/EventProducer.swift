import Logging
import Metrics
import StreamLyOriginNative
import Synchronization

/// The origin's one Kafka producer: chat publishes and committed message events, video
/// events and transcode jobs all go through it. It is replaced by a new one when librdkafka
/// declares it fatally broken (an idempotent producer does so when the broker lost or
/// reordered records it had acknowledged, e.g. after a broker restart without its log), and
/// when a record fails because the broker no longer accepts the producer's id, epoch or
/// sequence (`OriginNativeError.isProducerStateLost`: fenced, unknown producer id, out of
/// order). A fatal producer refuses every record for good, and a fenced one may be fenced
/// again after each epoch bump librdkafka makes itself; without the replacement, publishes
/// would fail until a restart.
final class EventProducer: Sendable {
    private let make: @Sendable () throws -> KafkaProducer
    private let current: Mutex<KafkaProducer>
    private let logger: Logger
    private let replacements = Counter(label: "streamly_kafka_producer_replacements_total")
    private let health = Mutex(Health())
    private let made = Mutex(1)

    init(logger: Logger, make: @escaping @Sendable () throws -> KafkaProducer) throws {
        self.make = make
        self.current = Mutex(try make())
        self.logger = logger
    }

    /// Sends one record through the current producer (see `KafkaProducer.send`). A failure
    /// that left the producer broken (`replaceIfBroken`) replaces it before rethrowing, so the caller's
    /// retry goes through the new one.
    func send(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) async throws {
        let producer = current.withLock { $0 }
        do {
            _ = try await producer.send(topic: topic, key: key, value: value, headers: headers)
            health.withLock { $0.delivered() }
        } catch {
            health.withLock { $0.failed() }
            replaceIfBroken(producer, after: error)
            throw error
        }
    }

    /// Hands one record to the current producer now (records started one after another
    /// keep their order in a partition); the returned closure waits for its acknowledgement,
    /// replacing a producer that broke on the way, like `send`.
    func start(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) -> @Sendable () async throws -> Void {
        let producer = current.withLock { $0 }
        let delivery = producer.produce(topic: topic, key: key, value: value, headers: headers)
        return {
            do {
                _ = try await delivery.wait()
                self.health.withLock { $0.delivered() }
            } catch {
                self.health.withLock { $0.failed() }
                self.replaceIfBroken(producer, after: error)
                throw error
            }
        }
    }

    /// Whether the origin can write to Kafka (for `/readyz`): the current producer is not
    /// fatally broken and the last record it settled was written. Once a record failed it
    /// stays false until one is written again (`runProbes` writes one while idle).
    var isUsable: Bool { current.withLock { $0 }.fatalFailure == nil && health.withLock { $0.canProduce } }

    /// While the last record failed, writes a small probe record to `topic` every
    /// `interval`, so readiness comes back without waiting for traffic. Runs until cancelled.
    func runProbes(topic: String, every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard health.withLock({ $0.needsProbe }) else { continue }
            do {
                try await send(topic: topic, key: nil, value: Array("probe".utf8))
                logger.info("kafka producer writes again")
            } catch {
                logger.warning("kafka producer cannot write", metadata: ["error": "\(error)"])
            }
        }
    }

    /// How many producers were made so far: 1, plus one per replacement.
    var generation: Int { made.withLock { $0 } }

    /// Flushes and closes the current producer.
    func close() async {
        await current.withLock { $0 }.close()
    }

    /// Replaces `producer` if `error` (a record it failed) shows it broken: fatal, or no longer
    /// accepted by the broker.
    private func replaceIfBroken(_ producer: KafkaProducer, after error: any Error) {
        if let fatal = producer.fatalFailure {
            replace(producer, because: fatal)
        } else if let failure = error as? OriginNativeError, failure.isProducerStateLost {
            replace(producer, because: failure)
        }
    }

    /// Swaps `broken` for a new producer, once (concurrent failures of the same producer
    /// replace it only once); the old one is closed in the background, failing what it held.
    private func replace(_ broken: KafkaProducer, because reason: OriginNativeError) {
        let replaced: Bool
        do {
            replaced = try current.withLock { current in
                guard current === broken else { return false }
                current = try make()
                made.withLock { $0 += 1 }
                return true
            }
        } catch {
            logger.error("kafka producer is broken and cannot be recreated",
                         metadata: ["reason": "\(reason)", "error": "\(error)"])
            return
        }
        guard replaced else { return }
        replacements.increment()
        logger.error("kafka producer is broken: replaced by a new one",
                     metadata: ["reason": "\(reason)", "generation": "\(generation)"])
        Task { await broken.close(timeout: .zero) }
    }
}
