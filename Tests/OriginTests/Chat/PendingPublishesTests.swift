import StreamLyAPI
import Testing
@testable import StreamLyOrigin

@Suite("Publishers waiting for their commit")
struct PendingPublishesTests {
    static let published = PublishOutcome.published(ChatLinkBodies.Published(channel: "c", seq: 7, id: "m", duplicate: false))

    static func seq(_ outcome: PublishOutcome?) -> Int64? {
        guard case .published(let published) = outcome else { return nil }
        return published.seq
    }

    @Test("a commit that arrives before the publisher waits is kept")
    func commitBeforeWait() async {
        let pending = PendingPublishes()
        pending.register("k")
        pending.resolve("k", with: Self.published)
        #expect(Self.seq(await pending.wait(for: "k", timeout: .seconds(5))) == 7)
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
        #expect(results.map(Self.seq) == [7, 7, 7])
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

    @Test("a rejection wakes the publisher with its error")
    func rejection() async {
        let pending = PendingPublishes()
        pending.register("k")
        async let outcome = pending.wait(for: "k", timeout: .seconds(120))  // long: a loaded run may starve the sleep below for seconds
        try? await Task.sleep(for: .milliseconds(50))
        pending.resolve("k", with: .rejected(code: .invalidInput, message: "set aside"))
        guard case .rejected(let code, let message) = await outcome else {
            Issue.record("the publisher was not told of the rejection")
            return
        }
        #expect(code == .invalidInput && message == "set aside")
    }

    @Test("a rejection answers only the attempt it names: a retry is not told an earlier attempt failed; a commit answers every attempt")
    func staleRejection() async {
        let pending = PendingPublishes()
        pending.register("k")  // the retry (attempt b); attempt a's publisher timed out and left
        async let retry = pending.wait(for: "k", attempt: "b", timeout: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        pending.resolve("k", with: .rejected(code: .unavailable, message: "attempt a given up"), attempt: "a")
        pending.register("k")
        #expect(await pending.wait(for: "k", attempt: "b", timeout: .milliseconds(50)) == nil,
                "attempt a's rejection answered attempt b")
        pending.register("k")
        guard case .rejected = await pending.wait(for: "k", attempt: "a", timeout: .zero) else {
            Issue.record("attempt a's own publisher would not learn of its rejection")
            return
        }
        pending.resolve("k", with: Self.published, attempt: "b")
        #expect(Self.seq(await retry) == 7, "the retry's commit")
    }

    @Test("a rejection naming no attempt (an older origin's) answers every attempt")
    func rejectionWithoutAttempt() async {
        let pending = PendingPublishes()
        pending.register("k")
        pending.resolve("k", with: .rejected(code: .invalidInput, message: "old"))
        guard case .rejected = await pending.wait(for: "k", attempt: "x", timeout: .seconds(5)) else {
            Issue.record("not answered")
            return
        }
    }
}
