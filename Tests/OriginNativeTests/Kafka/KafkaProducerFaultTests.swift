import Foundation
import StreamLyOriginNative
import Testing

/// What the idempotent `KafkaProducer` does when a broker answers with the errors that mean
/// "your producer state is gone or stale", injected by librdkafka's mock cluster: which
/// records fail (and with what), whether the producer stays usable, and that the log holds
/// every acknowledged record exactly once, in order. `EventProducer` (the origin) builds on
/// these answers.
@Suite(.serialized) struct KafkaProducerFaultTests {
    typealias ErrorCode = KafkaMockCluster.ErrorCode

    /// A producer on a one-partition topic of its own mock cluster, with one record written,
    /// so the producer has its id and the next produce request is the one the test fails.
    struct Fixture {
        let cluster: KafkaMockCluster
        let producer: KafkaProducer
        let topic = "faults"
        let key = Array("channel".utf8)

        init() async throws {
            cluster = try KafkaMockCluster()
            try cluster.createTopic(topic)
            producer = try KafkaProducer(brokers: cluster.bootstrapServers, clientID: "fault-test",
                                         properties: ["message.timeout.ms": "10000"])
            try await send("warm-up")
        }

        @discardableResult
        func send(_ value: String) async throws -> Int64 {
            try await producer.send(topic: topic, key: key, value: Array(value.utf8)).offset
        }

        /// Every record of the topic, read by a new consumer group; waits for one record
        /// more than `expected` for a while, so a duplicate would show.
        func log(expected: Int) async throws -> [String] {
            let consumer = try KafkaConsumer(brokers: cluster.bootstrapServers, groupID: "reader-\(UUID().uuidString)",
                                             topics: [topic], properties: ["session.timeout.ms": "6000"])
            let records = try await KafkaBroker.read(expected + 1, from: consumer, within: .seconds(8))
            await consumer.close()
            return records.map { String(decoding: $0.value, as: UTF8.self) }
        }

        /// Waits until librdkafka has raised a fatal error on the producer (it does so on its
        /// own thread, after the failed request), or `timeout` passes.
        func fatalFailure(within timeout: Duration) async throws -> OriginNativeError? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let fatal = producer.fatalFailure { return fatal }
                try await Task.sleep(for: .milliseconds(20))
            }
            return producer.fatalFailure
        }
    }

    /// Stale epoch or fenced on a produce: only that record fails, with the broker's code;
    /// librdkafka bumps the epoch and the producer writes on, so the log has no gap and no
    /// duplicate of what was acknowledged.
    @Test(arguments: [ErrorCode.invalidProducerEpoch, .producerFenced])
    func staleEpochFailsTheRejectedRecordOnlyAndTheProducerWritesOn(_ code: ErrorCode) async throws {
        let fixture = try await Fixture()
        fixture.cluster.failNext(.produce, with: [code])
        let error = await #expect(throws: OriginNativeError.self) { try await fixture.send("rejected") }
        #expect(error?.code == .kafkaDelivery)
        #expect(error?.status == code.rawValue, "\(String(describing: error))")
        #expect(error?.isProducerStateLost == true)

        let offsets = [try await fixture.send("after-1"), try await fixture.send("after-2")]
        #expect(fixture.producer.fatalFailure == nil)
        #expect(offsets == offsets.sorted())
        #expect(try await fixture.log(expected: 3) == ["warm-up", "after-1", "after-2"])
        await fixture.producer.close()
    }

    /// The broker forgot the producer id: the first attempt is retried under a new epoch by
    /// librdkafka itself; the sender sees success and the record is written once.
    @Test func unknownProducerIDOnAFirstAttemptIsRetriedTransparently() async throws {
        let fixture = try await Fixture()
        fixture.cluster.failNext(.produce, with: [.unknownProducerID])
        try await fixture.send("retried")
        try await fixture.send("next")
        #expect(fixture.producer.fatalFailure == nil)
        #expect(try await fixture.log(expected: 3) == ["warm-up", "retried", "next"])
        await fixture.producer.close()
    }

    /// An out-of-order sequence on the oldest request in flight means the broker and the
    /// producer disagree about what was written: librdkafka declares the producer fatally
    /// broken, fails the record and refuses every later one; the owner must replace it.
    @Test func outOfOrderSequenceOnTheOldestRequestIsFatal() async throws {
        let fixture = try await Fixture()
        fixture.cluster.failNext(.produce, with: [.outOfOrderSequenceNumber])
        let error = await #expect(throws: OriginNativeError.self) { try await fixture.send("rejected") }
        #expect(error?.code == .kafkaDelivery)
        let fatal = try await fixture.fatalFailure(within: .seconds(5))
        #expect(fatal?.code == .kafkaProduce)
        #expect(fatal?.message.contains("sequence") == true, "\(String(describing: fatal))")
        await #expect(throws: OriginNativeError.self) { try await fixture.send("refused") }
        #expect(try await fixture.log(expected: 1) == ["warm-up"])
        await fixture.producer.close(timeout: .zero)
    }

    /// Fenced when asking for a producer id (what a broker answers a producer whose id a
    /// newer instance took over): librdkafka declares the producer fatally broken, with a
    /// "fenced" reason, and refuses every record. (An idempotent producer asks only at start:
    /// after a fenced produce it bumps its epoch itself, as the test above shows.)
    @Test func fencedWhenAskingForAProducerIDIsFatal() async throws {
        let cluster = try KafkaMockCluster()
        cluster.failNext(.initProducerID, with: [.producerFenced])
        let producer = try KafkaProducer(brokers: cluster.bootstrapServers, clientID: "fenced-test")
        await #expect(throws: OriginNativeError.self) {
            _ = try await producer.send(topic: "faults", key: nil, value: Array("refused".utf8))
        }
        let fatal = try #require(producer.fatalFailure)
        #expect(fatal.message.lowercased().contains("fenced"), "\(fatal)")
        #expect(fatal.isProducerStateLost)
        await producer.close(timeout: .zero)
    }
}
