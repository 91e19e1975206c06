import Foundation
import Logging
import StreamLyOriginNative
import Synchronization
import Testing
@testable import StreamLyOrigin

@Suite("Supervised consumer")
struct SupervisedConsumerTests {
    /// A shutting-down origin cancels its consumers' tasks: the body then ends at once, and the
    /// run must end too rather than create consumer after consumer (seen: ~20 a second, and an
    /// origin whose operator port was taken never exited).
    @Test("a cancelled run ends and creates no more consumers")
    func cancelledRunEnds() async throws {
        let made = Atomic<Int>(0)
        let ended = Atomic<Bool>(false)
        let supervised = SupervisedConsumer(name: "cancel-test", logger: Logger(label: "test")) {
            made.add(1, ordering: .relaxed)
            // Nothing listens on port 1: librdkafka connects lazily, so creation succeeds.
            return try KafkaConsumer(brokers: "127.0.0.1:1", groupID: "cancel-\(UUID().uuidString)", topics: ["t"],
                                     properties: ["log_level": "0"])
        }
        let task = Task {
            await supervised.run { consumer in
                for try await _ in consumer.records {}
            }
            ended.store(true, ordering: .relaxed)
        }
        while made.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let deadline = ContinuousClock.now + .seconds(20)
        while !ended.load(ordering: .relaxed), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let consumers = made.load(ordering: .relaxed)
        let finished = ended.load(ordering: .relaxed)
        if !finished { await supervised.close() }  // stop the old behaviour's loop so the test ends
        await task.value
        #expect(finished, "the cancelled run did not end (\(consumers) consumers created)")
        #expect(consumers == 1, "consumers created: \(consumers)")
    }

    @Test("a consumer that never joins its group is reported once by a warning")
    func warnsWhenNotJoined() async throws {
        let logs = CapturedLogs()
        let supervised = SupervisedConsumer(name: "join-test", joinWarning: .milliseconds(200),
                                            logger: Logger(label: "test") { _ in logs }) {
            // Nothing listens on port 1: the consumer is created but never joins.
            try KafkaConsumer(brokers: "127.0.0.1:1", groupID: "join-\(UUID().uuidString)", topics: ["t"],
                              properties: ["log_level": "0"])
        }
        let task = Task { await supervised.run { consumer in for try await _ in consumer.records {} } }
        let deadline = ContinuousClock.now + .seconds(20)
        while logs.warnings.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(600))  // three more warning periods: still one
        await supervised.close()
        await task.value
        #expect(logs.warnings == ["kafka consumer has not joined its group"])
    }

    @Test("a member that gets no partition (more members than partitions) has joined: no warning")
    func memberWithoutPartitionsHasJoined() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("t", partitions: 1)
        let logs = CapturedLogs()
        let group = "join-\(UUID().uuidString)"
        let members = (0..<2).map { index in
            SupervisedConsumer(name: "member-\(index)", joinWarning: .seconds(60), logger: Logger(label: "test") { _ in logs }) {
                try KafkaConsumer(brokers: cluster.bootstrapServers, groupID: group, topics: ["t"],
                                  properties: ["session.timeout.ms": "6000"])
            }
        }
        let tasks = members.map { member in Task { await member.run { consumer in for try await _ in consumer.records {} } } }
        let deadline = ContinuousClock.now + .seconds(30)
        while !members.allSatisfy(\.hasJoined) || members.filter(\.isAssigned).count != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(members.map(\.hasJoined) == [true, true])
        #expect(members.filter(\.isAssigned).count == 1, "one partition, two members")
        for member in members { await member.close() }
        for task in tasks { await task.value }
        #expect(logs.warnings == [])
    }
}

/// What a test's loggers log at warning level and above: their messages, in order.
final class CapturedLogs: LogHandler, @unchecked Sendable {
    private let lock = Mutex<[String]>([])
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    var warnings: [String] { lock.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .warning else { return }
        lock.withLock { $0.append(event.message.description) }
    }
}
