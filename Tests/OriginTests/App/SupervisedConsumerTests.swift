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
}
