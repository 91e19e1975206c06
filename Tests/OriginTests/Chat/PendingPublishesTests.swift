import StreamLyAPI
import Testing
@testable import StreamLyOrigin

@Suite("Publishers waiting for their commit")
struct PendingPublishesTests {
    static let published = ChatLinkBodies.Published(channel: "c", seq: 7, id: "m", duplicate: false)

    @Test("a commit that arrives before the publisher waits is kept")
    func commitBeforeWait() async {
        let pending = PendingPublishes()
        pending.register("k")
        pending.resolve("k", with: Self.published)
        #expect(await pending.wait(for: "k", timeout: .seconds(5))?.seq == 7)
    }

    @Test("every waiter of a key (retries of one client_id) wakes with the commit")
    func waitersWake() async {
        let pending = PendingPublishes()
        for _ in 0..<3 { pending.register("k") }
        async let a = pending.wait(for: "k", timeout: .seconds(5))
        async let b = pending.wait(for: "k", timeout: .seconds(5))
        async let c = pending.wait(for: "k", timeout: .seconds(5))
        try? await Task.sleep(for: .milliseconds(50))
        pending.resolve("k", with: Self.published)
        let results = await [a, b, c]
        #expect(results.map { $0?.seq } == [7, 7, 7])
    }

    @Test("a waiter gives up after its timeout; commits of unknown keys are ignored")
    func timeout() async {
        let pending = PendingPublishes()
        pending.register("k")
        pending.resolve("other", with: Self.published)
        let started = ContinuousClock.now
        #expect(await pending.wait(for: "k", timeout: .milliseconds(100)) == nil)
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        pending.register("z")
        #expect(await pending.wait(for: "z", timeout: .zero) == nil, "a zero timeout does not wait")
    }
}
