import Foundation
import StreamLyOriginNative
import Synchronization
import Testing

/// Producer and consumer against the real Kafka-compatible broker (noida-db) started by `infra/`.
/// Serialized, to keep each test's timing its own on a 2-core machine.
@Suite(.serialized) struct KafkaTests {
    /// Group settings: the shortest session the broker accepts (Kafka's
    /// `group.min.session.timeout.ms`, 6 s; noida-db answers shorter ones INVALID_SESSION_TIMEOUT).
    static let fastGroup = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]

    @Test func keyedRecordsArriveCompleteAndInOrderPerKey() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("order")
        let producer = try KafkaProducer(brokers: brokers, clientID: "order-test")
        let keys = (0..<5).map { "channel-\($0)" }
        let perKey = 100

        // One task per key, each sending in order: Kafka only orders records of one key.
        let sent = try await withThrowingTaskGroup(of: [(Int32, Int64)].self) { group in
            for key in keys {
                group.addTask {
                    var positions: [(Int32, Int64)] = []
                    for sequence in 0..<perKey {
                        positions.append(try await producer.send(
                            topic: topic, key: Array(key.utf8), value: Array("\(key)/\(sequence)".utf8)
                        ))
                    }
                    return positions
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(sent.count == keys.count * perKey)
        await producer.close()

        let consumer = try KafkaConsumer(
            brokers: brokers, groupID: KafkaBroker.uniqueName("order"), topics: [topic], properties: Self.fastGroup
        )
        let records = try await KafkaBroker.read(keys.count * perKey, from: consumer, within: .seconds(20))
        await consumer.close()

        #expect(records.count == keys.count * perKey)
        #expect(Set(records.map { "\($0.partition)/\($0.offset)" }) == Set(sent.map { "\($0.0)/\($0.1)" }))
        for key in keys {
            let ofKey = records.filter { $0.key == Array(key.utf8) }
            #expect(ofKey.map { String(decoding: $0.value, as: UTF8.self) } == (0..<perKey).map { "\(key)/\($0)" })
            #expect(Set(ofKey.map(\.partition)).count == 1, "one key, one partition")
        }
    }

    @Test func newConsumerResumesAfterCommittedOffset() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("commit")
        let group = KafkaBroker.uniqueName("commit")
        let producer = try KafkaProducer(brokers: brokers, clientID: "commit-test")
        for index in 0..<20 {
            _ = try await producer.send(topic: topic, key: Array("channel".utf8), value: [UInt8(index)])
        }
        await producer.close()

        let first = try KafkaConsumer(brokers: brokers, groupID: group, topics: [topic], properties: Self.fastGroup)
        let firstRecords = try await KafkaBroker.read(20, from: first, within: .seconds(20))
        try #require(firstRecords.map(\.value) == (0..<20).map { [UInt8($0)] })
        try await first.commit(firstRecords[9])
        await first.close()

        let second = try KafkaConsumer(brokers: brokers, groupID: group, topics: [topic], properties: Self.fastGroup)
        let secondRecords = try await KafkaBroker.read(10, from: second, within: .seconds(20))
        // Nothing else may follow: records 0...9 were committed.
        let extra = try await KafkaBroker.read(1, from: second, within: .milliseconds(500))
        await second.close()

        #expect(secondRecords.map(\.value) == (10..<20).map { [UInt8($0)] })
        #expect(secondRecords.first?.offset == firstRecords[9].offset + 1)
        #expect(extra.isEmpty)
    }

    @Test func pipelinedProducesKeepTheirOrderAndBackgroundCommitsAreResumedFrom() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("pipelined")
        let group = KafkaBroker.uniqueName("pipelined")
        let producer = try KafkaProducer(brokers: brokers, clientID: "pipelined-test")
        // 200 records handed over back to back, acknowledgements awaited afterwards.
        let deliveries = (0..<200).map { index in
            producer.produce(topic: topic, key: Array("channel".utf8), value: Array(String(index).utf8))
        }
        var offsets: [Int64] = []
        for delivery in deliveries { offsets.append(try await delivery.wait().offset) }
        #expect(offsets == offsets.sorted() && Set(offsets).count == 200, "acknowledged in hand-over order")
        await producer.close()
        let late = producer.produce(topic: topic, key: nil, value: [1])
        await #expect(throws: OriginNativeError.self) { try await late.wait() }

        let first = try KafkaConsumer(brokers: brokers, groupID: group, topics: [topic], properties: Self.fastGroup)
        let records = try await KafkaBroker.read(200, from: first, within: .seconds(20))
        #expect(records.map { String(decoding: $0.value, as: UTF8.self) } == (0..<200).map(String.init))
        first.commitInBackground([records[149]])
        await first.close()  // closing waits for outstanding commits

        let second = try KafkaConsumer(brokers: brokers, groupID: group, topics: [topic], properties: Self.fastGroup)
        let rest = try await KafkaBroker.read(50, from: second, within: .seconds(20))
        await second.close()
        #expect(rest.map { String(decoding: $0.value, as: UTF8.self) } == (150..<200).map(String.init))
    }

    @Test func headersKeysAndBinaryValuesRoundTrip() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("binary")
        let producer = try KafkaProducer(brokers: brokers, clientID: "binary-test")
        let allBytes = (0...255).map { UInt8($0) }
        let headers = [
            KafkaHeader(name: "content-type", value: Array("application/x-streamly".utf8)),
            KafkaHeader(name: "trace", value: [0, 0xFF, 0, 0x80]),
            KafkaHeader(name: "trace", value: [1]),  // names may repeat
            KafkaHeader(name: "empty", value: []),
            KafkaHeader(name: "null", value: nil),
        ]
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        _ = try await producer.send(topic: topic, key: [0, 1, 0, 2], value: allBytes + allBytes.reversed(), headers: headers)
        _ = try await producer.send(topic: topic, key: nil, value: [])
        _ = try await producer.send(topic: topic, key: [], value: [0])
        await producer.close()

        let consumer = try KafkaConsumer(
            brokers: brokers, groupID: KafkaBroker.uniqueName("binary"), topics: [topic], properties: Self.fastGroup
        )
        let records = try await KafkaBroker.read(3, from: consumer, within: .seconds(20))
        await consumer.close()

        try #require(records.count == 3)
        let binary = try #require(records.first { $0.key == [0, 1, 0, 2] })
        #expect(binary.value == allBytes + allBytes.reversed())
        #expect(binary.headers == headers)
        #expect(binary.topic == topic)
        let timestamp = try #require(binary.timestamp)
        #expect(timestamp.kind == .createTime)
        #expect(abs(timestamp.millisecondsSinceEpoch - before) < 60_000)

        let keyless = try #require(records.first { $0.key == nil })
        #expect(keyless.value.isEmpty)
        #expect(keyless.headers.isEmpty)
        let emptyKey = try #require(records.first { $0.key == [] })
        #expect(emptyKey.value == [0])
    }

    @Test func sendToUnreachableBrokerFailsWithinMessageTimeout() async throws {
        // Port 1 on loopback: nothing listens there, so every connection is refused.
        let producer = try KafkaProducer(
            brokers: "127.0.0.1:1", clientID: "unreachable-test",
            properties: ["message.timeout.ms": "1500", "log_level": "0"]  // expected connection errors
        )
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: OriginNativeError.self) {
            _ = try await producer.send(topic: "unreachable", key: nil, value: [1])
        }
        let elapsed = clock.now - start
        await producer.close(timeout: .milliseconds(100))

        #expect(error?.code == .kafkaDelivery)
        #expect(error?.message.contains("timed out") == true, "\(String(describing: error))")
        // Relative to librdkafka's default message timeout (300 s), not a timing race with a
        // loaded machine: the configured 1.5 s bounds the send, whatever the scheduling.
        #expect(elapsed < .seconds(60), "\(elapsed)")
    }

    @Test func closeLeavesGroupSoNextConsumerIsAssignedQuickly() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("leave")
        let group = KafkaBroker.uniqueName("leave")
        try await KafkaAdmin.createTopics([KafkaAdmin.Topic(name: topic, partitions: 4)], brokers: brokers)

        let first = try KafkaConsumer(brokers: brokers, groupID: group, topics: [topic], properties: Self.fastGroup)
        let firstAssignment = try await KafkaBroker.assignment(of: first, partitions: 4, within: .seconds(20))
        await first.close()

        // A clean leave rebalances at once; a member that vanished without leaving holds its
        // partitions until its session (6 s) expires.
        let clock = ContinuousClock()
        let start = clock.now
        let second = try KafkaConsumer(brokers: brokers, groupID: group, topics: [topic], properties: Self.fastGroup)
        let secondAssignment = try await KafkaBroker.assignment(of: second, partitions: 4, within: .seconds(10))
        let elapsed = clock.now - start
        await second.close()

        #expect(firstAssignment.count == 4)
        #expect(secondAssignment == firstAssignment)
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }

    @Test("createTopics makes the topics with their partitions before any record; again, it changes nothing")
    func createTopicsBeforeUse() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("admin")
        try await KafkaAdmin.createTopics([KafkaAdmin.Topic(name: topic, partitions: 3)], brokers: brokers)
        try await KafkaAdmin.createTopics([KafkaAdmin.Topic(name: topic, partitions: 5)], brokers: brokers)
        // A consumer of the existing topic is assigned all three partitions without any
        // record having been written (nothing auto-created it).
        let consumer = try KafkaConsumer(brokers: brokers, groupID: KafkaBroker.uniqueName("admin"), topics: [topic],
                                         properties: Self.fastGroup.merging(["allow.auto.create.topics": "false"]) { $1 })
        var assigned: Set<KafkaTopicPartition> = []
        for await change in consumer.rebalances {
            if case .assigned(let partitions) = change { assigned.formUnion(partitions) }
            if !assigned.isEmpty { break }
        }
        await consumer.close()
        #expect(assigned == Set((0..<3).map { KafkaTopicPartition(topic: topic, partition: $0) }))
    }

    @Test("a topic's records expire while the broker runs when its segment.ms is below its retention.ms (the chat transport topics)")
    func retentionWhileRunning() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("retention")
        // Kafka, and noida-db alike, delete whole segments older than the retention: with the
        // default segment.ms (7 days) nothing would ever go (noida-db's log then only grows).
        try await KafkaAdmin.createTopics([KafkaAdmin.Topic(name: topic, partitions: 1,
                                                            configuration: ["retention.ms": "3000", "segment.ms": "500"])],
                                          brokers: brokers)
        let producer = try KafkaProducer(brokers: brokers, clientID: "retention-test")
        for index in 0..<100 { _ = try await producer.send(topic: topic, key: nil, value: Array("old \(index)".utf8)) }
        // Every second a fresh group reads the topic's first record; once it is no longer an old
        // one, the old records are gone.
        var first = "old 0"
        let deadline = ContinuousClock.now + .seconds(60)
        while first.hasPrefix("old"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            _ = try await producer.send(topic: topic, key: nil, value: Array("new".utf8))
            let consumer = try KafkaConsumer(brokers: brokers, groupID: KafkaBroker.uniqueName("retention"), topics: [topic],
                                             properties: Self.fastGroup.merging(["auto.offset.reset": "earliest"]) { $1 })
            let records = try await KafkaBroker.read(1, from: consumer, within: .seconds(20))
            await consumer.close()
            first = records.first.map { String(decoding: $0.value, as: UTF8.self) } ?? first
        }
        await producer.close()
        #expect(first == "new", "the records older than the retention are still there after 60 s")
    }

    @Test("createTopics refuses what the broker cannot do, naming the topic")
    func createTopicsRefused() async throws {
        let brokers = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueName("admin-bad")
        await #expect {
            try await KafkaAdmin.createTopics([KafkaAdmin.Topic(name: topic, partitions: 0)], brokers: brokers)
        } throws: { error in
            (error as? OriginNativeError)?.code == .kafkaAdmin && "\(error)".contains(topic)
        }
    }

    @Test func invalidBrokerListsAreRejected() {
        for brokers in ["", " ", "host:port", "a:1,,b:2", "a:0", "a:70000", "::1:9092", "a b:1"] {
            let error = #expect(throws: OriginNativeError.self, "\(brokers)") {
                _ = try KafkaProducer(brokers: brokers, clientID: "x")
            }
            #expect(error?.code == .kafkaInvalidBrokers)
            #expect(error?.message.contains("invalid broker list") == true)
        }
        for brokers in ["a", "a:1", "a:1, b:2", "[::1]:9092", "PLAINTEXT://a:9092"] {
            #expect(throws: Never.self, "\(brokers)") {
                _ = try KafkaProducer(brokers: brokers, clientID: "x", properties: ["log_level": "0"])
            }
        }
    }

    @Test func invalidPropertiesAreRejected() {
        let unknown = #expect(throws: OriginNativeError.self) {
            _ = try KafkaConsumer(brokers: "a:1", groupID: "g", topics: ["t"], properties: ["no.such": "1"])
        }
        #expect(unknown?.code == .kafkaUnknownProperty)
        let invalid = #expect(throws: OriginNativeError.self) {
            _ = try KafkaProducer(brokers: "a:1", clientID: "x", properties: ["linger.ms": "soon"])
        }
        #expect(invalid?.code == .kafkaInvalidValue)
        #expect(invalid?.message.contains("linger.ms") == true)
        let noTopics = #expect(throws: OriginNativeError.self) {
            _ = try KafkaConsumer(brokers: "a:1", groupID: "g", topics: [])
        }
        #expect(noTopics?.code == .kafkaSubscribe)
    }
}

/// The broker from `infra/` and helpers for reading with a deadline.
enum KafkaBroker {
    /// `STREAMLY_KAFKA_BROKERS`; fails the test (no silent skip) when it is not set, or when the
    /// loaded librdkafka is Debian's 2.0.2, which cannot talk to Tansu.
    static func address() throws -> String {
        let brokers = ProcessInfo.processInfo.environment["STREAMLY_KAFKA_BROKERS"] ?? ""
        try #require(
            !brokers.isEmpty,
            "STREAMLY_KAFKA_BROKERS is not set: start infra/up.sh --profile <profile> and source .state/<profile>/env.sh"
        )
        try #require(
            Kafka.version >= 0x0201_0000,
            "librdkafka \(Kafka.versionString) is loaded; source .state/<profile>/env.sh so LD_LIBRARY_PATH picks the newer one"
        )
        return brokers
    }

    static func uniqueName(_ prefix: String) -> String {
        "streamly-test-\(prefix)-\(UUID().uuidString.lowercased())"
    }

    /// Reads up to `count` records, giving up after `timeout`; returns what arrived.
    static func read(_ count: Int, from consumer: KafkaConsumer, within timeout: Duration) async throws -> [KafkaRecord] {
        try await withThrowingTaskGroup(of: [KafkaRecord]?.self) { group in
            group.addTask {
                var records: [KafkaRecord] = []
                for try await record in consumer.records {
                    records.append(record)
                    if records.count == count { break }
                }
                return records  // Also when cancelled by the deadline: `next()` then returns nil.
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            while let result = try await group.next() {
                group.cancelAll()
                if let records = result { return records }
            }
            return []
        }
    }

    /// Waits until the consumer's assignment has `partitions` partitions; returns it.
    static func assignment(
        of consumer: KafkaConsumer, partitions: Int, within timeout: Duration
    ) async throws -> Set<KafkaTopicPartition> {
        try await withThrowingTaskGroup(of: Set<KafkaTopicPartition>?.self) { group in
            group.addTask {
                var assignment: Set<KafkaTopicPartition> = []
                for await change in consumer.rebalances {
                    switch change {
                    case .assigned(let added): assignment.formUnion(added)
                    case .revoked(let removed, _): assignment.subtract(removed)
                    }
                    if assignment.count == partitions { return assignment }
                }
                return assignment
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return try #require(first, "no assignment of \(partitions) partitions within \(timeout)")
        }
    }
}
