import Synchronization
import StreamLyConfig
import Testing
@testable import StreamLyEdge

@Suite("Request lane")
struct RequestLaneTests {
    @Test("actions come out in the order they were put")
    func order() async {
        let lane = RequestLane<Int>(capacity: 8)
        for index in 0..<5 { await lane.put(index) }
        lane.finish()
        var seen: [Int] = []
        for await item in lane.items {
            seen.append(item)
            lane.done()
        }
        #expect(seen == Array(0..<5))
    }

    @Test("a full lane holds the reader until the consumer makes room; finish releases it")
    func backpressure() async throws {
        let lane = RequestLane<Int>(capacity: 2)
        let put = Atomic(0)
        let reader = Task {
            for _ in 0..<3 {
                await lane.put(0)
                put.add(1, ordering: .relaxed)
            }
        }
        // The reader fills the lane, then waits for room (polled: no timing assumed).
        while !lane.isReaderWaiting { try await Task.sleep(for: .milliseconds(1)) }
        #expect(put.load(ordering: .relaxed) == 2, "the third put must wait for room")
        #expect(lane.pendingCount == 2)
        lane.done()
        await reader.value
        #expect(put.load(ordering: .relaxed) == 3)
        #expect(lane.pendingCount == 2)

        let blocked = Task { await lane.put(0); await lane.put(0) }
        while !lane.isReaderWaiting { try await Task.sleep(for: .milliseconds(1)) }
        lane.finish()
        await blocked.value  // returns: finish woke the waiting reader
        #expect(!lane.isReaderWaiting)
    }

    @Test("the capacity comes from ws.queue.max")
    func configured() throws {
        let limits = try EdgeConfiguration.gatewayLimits(ConfigValues(["ws.queue.max": "16"]))
        #expect(limits.maxQueuedRequests == 16)
        #expect(throws: ConfigurationError.self) { try EdgeConfiguration.gatewayLimits(ConfigValues(["ws.queue.max": "0"])) }
    }
}
