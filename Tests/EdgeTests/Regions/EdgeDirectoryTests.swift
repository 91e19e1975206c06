import StreamLyAPI
@testable import StreamLyEdge
import StreamLyEdgeDirectory
import Synchronization
import Testing

@Suite("EdgeDirectory")
struct EdgeDirectoryTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ by: Duration) { offset.withLock { $0 += by } }
    }

    @Test("entries expire on their own; hosting answers by call")
    func expiry() {
        let clock = TestClock()
        let directory = EdgeDirectory(localID: "a", region: "eu", now: { clock.now })
        directory.replace(with: [
            EdgeInfo(id: "a", region: "eu", calls: ["c1"], expires: clock.now + .seconds(3)),
            EdgeInfo(id: "b", region: "us", calls: ["c1", "c2"], expires: clock.now + .seconds(1)),
        ])
        #expect(directory.edges().map(\.id) == ["a", "b"])
        #expect(directory.edgesHosting(call: "c1").map(\.id) == ["a", "b"])
        #expect(directory.remoteEdgesHosting(call: "c1").map(\.id) == ["b"])
        #expect(directory.edgesHosting(call: "c2").map(\.id) == ["b"])
        #expect(directory.edge(id: "b")?.region == "us")
        clock.advance(.milliseconds(1_500))
        #expect(directory.edges().map(\.id) == ["a"])
        #expect(directory.edge(id: "b") == nil)
        #expect(directory.remoteEdgesHosting(call: "c1").isEmpty)
        clock.advance(.seconds(2))
        #expect(directory.edges().isEmpty)
    }

    @Test("observers hear changes, not refreshed expiries; sweep reports what expired")
    func observers() {
        let clock = TestClock()
        let directory = EdgeDirectory(localID: "a", region: "eu", now: { clock.now })
        let heard = Mutex(0)
        let token = directory.observe { heard.withLock { $0 += 1 } }
        let b = EdgeInfo(id: "b", region: "us", expires: clock.now + .seconds(1))
        directory.replace(with: [b])
        #expect(heard.withLock { $0 } == 1)
        var refreshed = b
        refreshed.expires = clock.now + .seconds(2)
        directory.replace(with: [refreshed])
        #expect(heard.withLock { $0 } == 1)
        var moved = refreshed
        moved.calls = ["c"]
        directory.replace(with: [moved])
        #expect(heard.withLock { $0 } == 2)
        directory.sweep()
        #expect(heard.withLock { $0 } == 2)
        clock.advance(.seconds(3))
        directory.sweep()
        #expect(heard.withLock { $0 } == 3)
        directory.removeObserver(token)
        directory.replace(with: [b])
        #expect(heard.withLock { $0 } == 3)
    }

    @Test("local calls are counted per participant and wake the announcer on first join and last leave")
    func localCalls() {
        let directory = EdgeDirectory(localID: "a", region: "eu")
        let wakes = Mutex(0)
        directory.onLocalChange { wakes.withLock { $0 += 1 } }
        directory.participantJoined(call: "c")
        directory.participantJoined(call: "c")
        directory.participantJoined(call: "d")
        #expect(directory.hostedCalls == ["c": 2, "d": 1])
        #expect(directory.localParticipants == 3)
        #expect(wakes.withLock { $0 } == 2)
        directory.participantLeft(call: "c")
        #expect(wakes.withLock { $0 } == 2)
        directory.participantLeft(call: "c")
        directory.participantLeft(call: "c")  // one too many: ignored
        #expect(directory.hostedCalls == ["d": 1])
        #expect(wakes.withLock { $0 } == 3)
        directory.draining = true
        directory.relayAddress = "10.0.0.1:5000"
        #expect(wakes.withLock { $0 } == 5)
    }

    @Test("an origin entry becomes an EdgeInfo expiring after expires_in_ms")
    func fromEntry() {
        let sent = ContinuousClock.now
        let entry = EdgeDirectoryLinkBodies.Entry(edge: .init(
            id: "e", region: "eu", httpURL: "http://e", webrtc: ["udp 10.0.0.1:10000"], relay: "10.0.0.1:5000",
            load: .init(connections: 3, participants: 2), draining: true, calls: ["c"], ttlMS: 3_000), expiresInMS: 2_500)
        let info = EdgeInfo(entry, receivedAt: sent)
        #expect(info == EdgeInfo(id: "e", region: "eu", httpURL: "http://e", webrtc: ["udp 10.0.0.1:10000"],
                                 relay: "10.0.0.1:5000", connections: 3, participants: 2, draining: true, calls: ["c"],
                                 expires: sent + .milliseconds(2_500)))
    }

    @Test("announcements are checked before they are stored", arguments: [
        EdgeDirectoryLinkBodies.Announcement(id: "", region: "eu"),
        EdgeDirectoryLinkBodies.Announcement(id: "a b", region: "eu"),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: String(repeating: "r", count: 65)),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: "eu", httpURL: "ftp://x"),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: "eu", webrtc: Array(repeating: "x:1", count: 9)),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: "eu", calls: Array(repeating: "c", count: 1_001)),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: "eu", load: .init(connections: -1)),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: "eu", ttlMS: 999),
        EdgeDirectoryLinkBodies.Announcement(id: "a", region: "eu", ttlMS: 60_001),
    ])
    func refused(announcement: EdgeDirectoryLinkBodies.Announcement) {
        #expect(announcement.problem != nil)
    }

    @Test("a well-formed announcement passes")
    func accepted() {
        #expect(EdgeDirectoryLinkBodies.Announcement(
            id: "edge-1.eu_west", region: "eu-west", httpURL: "http://10.0.0.1:8080", httpsURL: "https://e.example",
            webrtc: ["udp 10.0.0.1:10000"], calls: ["c"]).problem == nil)
    }
}
