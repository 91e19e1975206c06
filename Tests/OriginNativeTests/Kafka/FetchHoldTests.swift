import Foundation
import IntegrationSupport
import StreamLyOriginNative
import Testing

/// The local broker as the infra profiles and the tests run it: noida-db behind
/// `infra/noida_fetch_hold.py`, which holds a fetch that would come back empty, as Kafka does
/// (noida-db alone answers it at once, and idle consumers loop on fetches: issue 10).
@Suite struct FetchHoldTests {
    @Test("an idle consumer's fetches are held for their max wait, through the script's port; a write releases a held fetch before its max wait")
    func idleFetchesAreHeldUntilAWrite() async throws {
        let broker = try await PrivateBroker.start()
        do {
            let counts = try await Self.idleThenWrite(brokers: "127.0.0.1:\(broker.port)", broker: broker)
            // Unheld, an idle consumer sends a fetch per broker round trip (about 5,000 a
            // second here); held, one per max wait (5 s) plus those that carried records.
            #expect(counts.held >= 1 && counts.forwarded < 100, "\(counts)")
        } catch {
            await broker.stop()
            throw error
        }
        await broker.stop()
    }

    static let maxWait = Duration.seconds(5)

    /// A consumer reads one record, idles 3 s (its fetches now come back empty), then reads
    /// a second written while it idles; returns the script's fetch counts, printed at its stop.
    static func idleThenWrite(brokers: String, broker: PrivateServer) async throws -> (forwarded: Int, held: Int) {
        let topic = KafkaBroker.uniqueName("hold")
        // Three partitions: librdkafka rotates their order from one fetch to the next, and the
        // script must still see an unchanged fetch.
        try await KafkaAdmin.createTopics([KafkaAdmin.Topic(name: topic, partitions: 3)], brokers: brokers)
        let producer = try KafkaProducer(brokers: brokers, clientID: "hold-test")
        let consumer = try KafkaConsumer(
            brokers: brokers, groupID: KafkaBroker.uniqueName("hold"), topics: [topic],
            properties: KafkaTests.fastGroup.merging(["fetch.wait.max.ms": String(maxWait.components.seconds * 1000)]) { $1 })
        _ = try await producer.send(topic: topic, key: nil, value: Array("first".utf8))
        let first = try await KafkaBroker.read(1, from: consumer, within: .seconds(30))
        try #require(first.count == 1, "the first record never arrived")
        try await Task.sleep(for: .seconds(3))

        let clock = ContinuousClock()
        let written = clock.now
        _ = try await producer.send(topic: topic, key: nil, value: Array("second".utf8))
        let second = try await KafkaBroker.read(1, from: consumer, within: .seconds(30))
        let waited = clock.now - written
        await consumer.close()
        await producer.close()
        #expect(second.map { String(decoding: $0.value, as: UTF8.self) } == ["second"])
        // Relative to the max wait: a fetch held until it expired would take up to all of it.
        #expect(waited < maxWait / 2, "the second record took \(waited)")

        await broker.terminate()
        let log = try String(contentsOf: broker.directory.appendingPathComponent("noida-db.log"), encoding: .utf8)
        let line = try #require(log.split(separator: "\n").last { $0.hasPrefix("fetches: ") }, "\(log.suffix(2000))")
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        try #require(numbers.count == 2, "\(line)")
        return (numbers[0], numbers[1])
    }
}
