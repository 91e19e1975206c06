import StreamLySFU
import Testing

@Suite("RelayLinkStateMachine: hellos, glare, consent, restarts")
struct RelayLinkStateMachineTests {
    static let second: UInt64 = 1_000_000_000
    static let wall: UInt64 = 1_700_000_000_000

    func machine(_ instance: UInt64) -> RelayLinkStateMachine {
        RelayLinkStateMachine(instance: instance, consentTimeout: 5 * Self.second)
    }

    func hello(from instance: UInt64, link: UInt32, nonce: [UInt8], echo: [UInt8] = Array(repeating: 0, count: 16),
               time: UInt64 = wall) -> RelayHello {
        RelayHello(senderLinkID: link, nonce: nonce, echoedNonce: echo, timeMilliseconds: time, instance: instance, call: "c")
    }

    @Test func helloAckEstablishesBothSides() {
        var a = machine(1), b = machine(2)
        let nonceA = RelayHello.randomNonce(), nonceB = RelayHello.randomNonce()
        #expect(a.start(now: 0, nonce: nonceA) == .sendHello(nonce: nonceA))
        _ = b.start(now: 0, nonce: RelayHello.randomNonce())
        // B (higher instance) answers A's hello; A ignores B's.
        guard case .establish(let sessionB, sendAck: true, dropPrevious: false) = b.helloReceived(
            hello(from: 1, link: 10, nonce: nonceA), now: 1, wallMilliseconds: Self.wall, freshNonce: { nonceB })
        else { Issue.record("B should answer"); return }
        #expect(a.helloReceived(hello(from: 2, link: 20, nonce: RelayHello.randomNonce()), now: 1, wallMilliseconds: Self.wall,
                                freshNonce: RelayHello.randomNonce) == .none)
        #expect(sessionB.peerLinkID == 10 && !sessionB.isInitiator)
        guard case .establish(let sessionA, sendAck: false, dropPrevious: false) = a.ackReceived(
            hello(from: 2, link: 20, nonce: nonceB, echo: nonceA), now: 2)
        else { Issue.record("A should establish"); return }
        #expect(sessionA.peerLinkID == 20 && sessionA.isInitiator)
        #expect(sessionA.initiatorNonce == sessionB.initiatorNonce && sessionA.responderNonce == sessionB.responderNonce)
    }

    @Test func ackOfAnotherHelloIsIgnored() {
        var a = machine(1)
        _ = a.start(now: 0, nonce: RelayHello.randomNonce())
        #expect(a.ackReceived(hello(from: 2, link: 20, nonce: RelayHello.randomNonce(), echo: RelayHello.randomNonce()), now: 1) == .none)
        #expect(a.session == nil)
    }

    @Test func hellosRepeatUntilAnswered() {
        var a = machine(1)
        let nonce = RelayHello.randomNonce()
        _ = a.start(now: 0, nonce: nonce)
        #expect(a.tick(now: Self.second / 2, freshNonce: RelayHello.randomNonce) == .none)
        #expect(a.tick(now: Self.second, freshNonce: RelayHello.randomNonce) == .sendHello(nonce: nonce))
    }

    @Test func silentPeerExpiresAfterConsentTimeout() {
        var b = machine(2)
        _ = b.start(now: 0, nonce: RelayHello.randomNonce())
        _ = b.helloReceived(hello(from: 1, link: 10, nonce: RelayHello.randomNonce()), now: 0, wallMilliseconds: Self.wall,
                            freshNonce: RelayHello.randomNonce)
        b.heard(now: 3 * Self.second)
        #expect(b.tick(now: 7 * Self.second, freshNonce: RelayHello.randomNonce) == .none)
        #expect(b.tick(now: 8 * Self.second + 1, freshNonce: RelayHello.randomNonce) == .expired)
        #expect(b.session == nil)
        // Then it says hello again.
        guard case .sendHello = b.tick(now: 8 * Self.second + 2, freshNonce: RelayHello.randomNonce) else {
            Issue.record("hello after expiry"); return
        }
    }

    @Test func repeatedHelloGetsTheSameAckAndStaleOrForeignHellosAreIgnored() {
        var b = machine(2)
        _ = b.start(now: 0, nonce: RelayHello.randomNonce())
        let nonceA = RelayHello.randomNonce()
        guard case .establish(let session, _, _) = b.helloReceived(hello(from: 1, link: 10, nonce: nonceA), now: 0,
                                                                  wallMilliseconds: Self.wall, freshNonce: RelayHello.randomNonce)
        else { Issue.record("establish"); return }
        #expect(b.helloReceived(hello(from: 1, link: 10, nonce: nonceA), now: 1, wallMilliseconds: Self.wall,
                                freshNonce: RelayHello.randomNonce) == .resendAck(session))
        // Older than the window (a replay): ignored.
        #expect(b.helloReceived(hello(from: 9, link: 10, nonce: RelayHello.randomNonce(), time: Self.wall - 61_000), now: 1,
                                wallMilliseconds: Self.wall, freshNonce: RelayHello.randomNonce) == .none)
        // A restarted peer (new instance): new session, previous tracks dropped.
        guard case .establish(let next, sendAck: true, dropPrevious: true) = b.helloReceived(
            hello(from: 3, link: 11, nonce: RelayHello.randomNonce(), time: Self.wall + 10), now: 2,
            wallMilliseconds: Self.wall, freshNonce: RelayHello.randomNonce)
        else { Issue.record("restart"); return }
        #expect(next.peerLinkID == 11)
    }

    /// A unlinked after B (lower instance) had initiated, then links again at once (its directory
    /// view lost B for a moment): B ignores A's new hello while established; A's bye puts B back
    /// to hellos, which A answers (DirectoryCascadeTests saw 30 s without media without this).
    @Test func aByeSendsTheInitiatorBackToHellosSoThePeerCanLinkAgain() {
        var b = machine(1), a = machine(2)
        let nonceB = RelayHello.randomNonce(), nonceA = RelayHello.randomNonce()
        _ = b.start(now: 0, nonce: nonceB)
        _ = a.start(now: 0, nonce: RelayHello.randomNonce())
        _ = a.helloReceived(hello(from: 1, link: 10, nonce: nonceB), now: 0, wallMilliseconds: Self.wall, freshNonce: { nonceA })
        _ = b.ackReceived(hello(from: 2, link: 20, nonce: nonceA, echo: nonceB), now: 0)
        #expect(b.session?.isInitiator == true)
        // A's new link says hello: B, established and the initiator with the lower instance, ignores it.
        let relink = hello(from: 2, link: 21, nonce: RelayHello.randomNonce(), time: Self.wall + 1_000)
        #expect(b.helloReceived(relink, now: Self.second, wallMilliseconds: Self.wall, freshNonce: RelayHello.randomNonce) == .none)
        // A's bye (sent before that hello) puts B back to hellos; B's hello is what A's new link answers.
        let fresh = RelayHello.randomNonce()
        #expect(b.byeReceived(now: Self.second, nonce: fresh) == .sendHello(nonce: fresh))
        #expect(b.session == nil)
        var relinked = machine(2)
        _ = relinked.start(now: Self.second, nonce: relink.nonce)
        guard case .establish(let session, sendAck: true, dropPrevious: false) = relinked.helloReceived(
            hello(from: 1, link: 10, nonce: fresh, time: Self.wall + 1_000), now: Self.second, wallMilliseconds: Self.wall,
            freshNonce: RelayHello.randomNonce)
        else { Issue.record("A's new link should answer B's hello"); return }
        guard case .establish = b.ackReceived(hello(from: 2, link: 21, nonce: session.responderNonce, echo: fresh), now: Self.second)
        else { Issue.record("B should establish"); return }
        #expect(b.session?.peerLinkID == 21)
        #expect(b.byeReceived(now: 2 * Self.second, nonce: fresh) == .sendHello(nonce: fresh))
        #expect(b.byeReceived(now: 2 * Self.second, nonce: fresh) == .none, "only an established link goes back")
    }

    @Test func closedAndIdleMachinesIgnoreEverything() {
        var idle = machine(1)
        #expect(idle.helloReceived(hello(from: 2, link: 1, nonce: RelayHello.randomNonce()), now: 0, wallMilliseconds: Self.wall,
                                   freshNonce: RelayHello.randomNonce) == .none)
        var closed = machine(1)
        _ = closed.start(now: 0, nonce: RelayHello.randomNonce())
        closed.close()
        #expect(closed.tick(now: 10 * Self.second, freshNonce: RelayHello.randomNonce) == .none)
        #expect(closed.start(now: 0, nonce: RelayHello.randomNonce()) == .none)
    }
}
