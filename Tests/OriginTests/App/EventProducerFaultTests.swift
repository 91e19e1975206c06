import Logging
import StreamLyOriginNative
import Testing
@testable import StreamLyOrigin

/// The origin's producer through the faults a broker can throw at an idempotent producer
/// (injected by librdkafka's mock cluster): a sender that retries what was not acknowledged,
/// as clients (same `client_id`) and the sequencer (re-emit) do, gets every record written
/// exactly once and in order; the producer is replaced when librdkafka declares it fatally
/// broken (it then refuses every record for good) and when the broker fences it (it may be
/// fenced again after each epoch bump), not when librdkafka heals the fault unseen.
@Suite(.serialized) struct EventProducerFaultTests {
    static let topic = "events"

    @Test func everyAcknowledgedRecordIsWrittenOnceAndInOrderThroughProducerFaults() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic(Self.topic)
        let producer = try EventProducer(logger: Logger(label: "event-producer-test")) {
            try KafkaProducer(brokers: cluster.bootstrapServers, clientID: "origin-test",
                              properties: ["message.timeout.ms": "10000"])
        }
        // Before the record of that index is sent.
        let faults: [Int: @Sendable () -> Void] = [
            5: { cluster.failNext(.produce, with: [.invalidProducerEpoch]) },
            10: { cluster.failNext(.produce, with: [.producerFenced]) },
            15: { cluster.failNext(.produce, with: [.unknownProducerID]) },  // librdkafka retries it itself
            20: { cluster.failNext(.produce, with: [.outOfOrderSequenceNumber]) },  // fatal
            30: {  // fenced, and its replacement fenced when it asks for a producer id (fatal)
                cluster.failNext(.produce, with: [.producerFenced])
                cluster.failNext(.initProducerID, with: [.producerFenced])
            },
        ]
        var refusals: [Int: [OriginNativeError]] = [:]
        for index in 0..<40 {
            faults[index]?()
            var attempts = 0
            while true {
                do {
                    try await producer.send(topic: Self.topic, key: Array("channel".utf8), value: Array("m\(index)".utf8))
                    break
                } catch let error as OriginNativeError {
                    refusals[index, default: []].append(error)
                    attempts += 1
                    try #require(attempts < 10, "record \(index) never written: \(error)")
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }

        #expect(Set(refusals.keys) == [5, 10, 20, 30], "\(refusals)")
        // One new producer for each of 5, 10 and 20; two for 30.
        #expect(producer.generation == 6)
        for error in refusals.values.joined() {
            #expect([OriginNativeError.Code.kafkaDelivery, .kafkaProduce].contains(error.code), "\(error)")
        }
        #expect(producer.isUsable)
        let written = try await Self.read(41, topic: Self.topic, from: cluster)
        #expect(written == (0..<40).map { "m\($0)" })
        await producer.close()
    }

    /// The topic's records from the start, as a new group reads them: up to `limit`, or what
    /// came within a few seconds.
    static func read(_ limit: Int, topic: String, from cluster: KafkaMockCluster) async throws -> [String] {
        let consumer = try KafkaConsumer(brokers: cluster.bootstrapServers, groupID: "reader", topics: [topic],
                                         properties: ["session.timeout.ms": "6000"])
        let values = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var values: [String] = []
                for try await record in consumer.records {
                    values.append(String(decoding: record.value, as: UTF8.self))
                    if values.count == limit { break }
                }
                return values
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(8))  // cancelled once every record came
                return []
            }
            var values: [String] = []
            while let next = try await group.next() {
                values += next
                group.cancelAll()
            }
            return values
        }
        await consumer.close()
        return values
    }
}
