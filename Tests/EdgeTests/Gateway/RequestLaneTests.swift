import StreamLyConfig
import Testing
@testable import StreamLyEdge

@Suite("Request lane")
struct RequestLaneTests {
    @Test("items come out in the order they were put; a worker is started only when none runs, and ends when the lane is empty")
    func order() {
        let lane = RequestLane<Int>(capacity: 8)
        #expect(lane.put(0), "the first put starts the worker")
        for index in 1..<5 { #expect(!lane.put(index), "a worker runs already") }
        var seen: [Int] = []
        while case .item(let item) = lane.take() {
            seen.append(item)
            _ = lane.done()
        }
        #expect(seen == Array(0..<5))
        #expect(lane.put(5), "the worker ended with the lane empty: the next put starts another")
    }

    @Test("a full lane holds the reader until the worker makes room")
    func backpressure() {
        let lane = RequestLane<Int>(capacity: 2)
        #expect(!lane.holdsReader())
        _ = lane.put(0)
        _ = lane.put(1)
        #expect(lane.holdsReader(), "two waiting: full")
        guard case .item(0) = lane.take() else { Issue.record("expected item 0"); return }
        #expect(lane.holdsReader(), "the item being performed still counts")
        #expect(lane.done(), "room again: the held reader goes on")
        #expect(!lane.done(), "told once")
        #expect(lane.pendingCount == 1)
        #expect(!lane.holdsReader())
    }

    @Test("finish drops what waits; the clean-up falls to the worker if one runs, else to the caller")
    func finish() {
        let running = RequestLane<Int>(capacity: 4)
        _ = running.put(0)
        _ = running.put(1)
        guard case .item(0) = running.take() else { Issue.record("expected item 0"); return }
        #expect(!running.finish(), "a worker is performing: it cleans up")
        #expect(!running.put(2), "nothing is accepted after finish")
        _ = running.done()
        guard case .finished = running.take() else { Issue.record("the worker must see the end"); return }
        #expect(!running.holdsReader())

        let idle = RequestLane<Int>(capacity: 4)
        _ = idle.put(0)
        guard case .item = idle.take(), case .idle = { _ = idle.done(); return idle.take() }() else {
            Issue.record("expected the worker to end idle"); return
        }
        #expect(idle.finish(), "no worker: the caller cleans up")
    }

    @Test("the capacity comes from ws.queue.max")
    func configured() throws {
        let limits = try EdgeConfiguration.gatewayLimits(ConfigValues(["ws.queue.max": "16"]))
        #expect(limits.maxQueuedRequests == 16)
        #expect(throws: ConfigurationError.self) { try EdgeConfiguration.gatewayLimits(ConfigValues(["ws.queue.max": "0"])) }
    }
}
