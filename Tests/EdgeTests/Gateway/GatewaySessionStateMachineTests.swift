import StreamLyAPI
import Testing
@testable import StreamLyEdge

@Suite("Gateway session")
struct GatewaySessionStateMachineTests {
    static let second: UInt64 = 1_000_000_000
    static let user = GatewaySessionStateMachine.User(id: "u1", name: "ann", expires: 1_000 * second)

    static func frame(_ json: String) -> [UInt8] { Array(json.utf8) }

    @Test("only auth is accepted before authentication; then requests map to actions")
    func authFirst() {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        #expect(machine.received(Self.frame(#"{"op":"subscribe","channel":"c","id":1}"#), now: 1)
                == .sendError(id: .number(1), code: .unauthorized, message: "send auth first"))
        #expect(machine.received(Self.frame(#"{"op":"auth","token":"t","id":"a"}"#), now: 2)
                == .verifyToken(id: .string("a"), token: "t"))
        #expect(machine.authenticated(Self.user, id: .string("a")) == .sendAuthenticated(id: .string("a"), user: Self.user))
        #expect(machine.received(Self.frame(#"{"op":"subscribe","channel":"c","since":5}"#), now: 3)
                == .subscribe(id: nil, user: Self.user, channel: "c", since: 5))
        #expect(machine.received(Self.frame(#"{"op":"publish","channel":"c","client_id":"k","body":"hi"}"#), now: 4)
                == .publish(id: nil, user: Self.user, channel: "c", clientID: "k", body: "hi", attachments: []))
        machine.subscribed("c")
        #expect(machine.received(Self.frame(#"{"op":"typing","channel":"c"}"#), now: 5) == .typing(user: Self.user, channel: "c"))
    }

    @Test("admission charges the rate limit; deciding later does not, and sees the state of the moment")
    func admitThenDecide() {
        var limits = GatewayLimits()
        limits.opsPerSecond = 1
        limits.opsBurst = 2
        var machine = GatewaySessionStateMachine(limits: limits, now: 0)
        #expect(machine.admit(now: 1) == nil)
        #expect(machine.admit(now: 1) == nil)
        #expect(machine.admit(now: 1) == .sendError(id: nil, code: .rateLimited, message: "more than 1 requests per second"))
        // Admitted while unauthenticated, decided after the auth before it succeeded.
        #expect(machine.decide(Self.frame(#"{"op":"auth","token":"t","id":1}"#), now: 2) == .verifyToken(id: .number(1), token: "t"))
        _ = machine.authenticated(Self.user, id: .number(1))
        #expect(machine.decide(Self.frame(#"{"op":"subscribe","channel":"c","id":2}"#), now: 3)
                == .subscribe(id: .number(2), user: Self.user, channel: "c", since: nil))
        _ = machine.authenticationFailed("gone")
        #expect(machine.admit(now: 4) == GatewaySessionStateMachine.Action.none)
        #expect(machine.decide(Self.frame(#"{"op":"subscribe","channel":"c"}"#), now: 5) == .none)
    }

    @Test("typing is only for channels the session subscribed to")
    func typingNeedsSubscription() {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        #expect(machine.received(Self.frame(#"{"op":"typing","channel":"c"}"#), now: 1)
                == .sendError(id: nil, code: .notSubscribed, message: "subscribe to c first"))
        machine.subscribed("c")
        #expect(machine.received(Self.frame(#"{"op":"typing","channel":"c"}"#), now: 2) == .typing(user: Self.user, channel: "c"))
    }

    @Test("publishes draw on one budget per user, shared by the user's connections")
    func publishBudget() {
        var limits = GatewayLimits()
        limits.publishesPerSecondPerUser = 1
        limits.publishBurstPerUser = 2
        limits.opsBurst = 100
        let budgets = PublishBudgets(limits: limits)
        var first = GatewaySessionStateMachine(limits: limits, now: 0, publishBudgets: budgets)
        var second = GatewaySessionStateMachine(limits: limits, now: 0, publishBudgets: budgets)
        var stranger = GatewaySessionStateMachine(limits: limits, now: 0, publishBudgets: budgets)
        _ = first.authenticated(Self.user, id: nil)
        _ = second.authenticated(Self.user, id: nil)
        _ = stranger.authenticated(.init(id: "u2", name: "bob", expires: 1_000 * Self.second), id: nil)
        let publish = Self.frame(#"{"op":"publish","channel":"c","client_id":"k","body":"hi","id":7}"#)
        guard case .publish = first.received(publish, now: 1) else { Issue.record("first publish refused"); return }
        guard case .publish = second.received(publish, now: 2) else { Issue.record("second publish refused"); return }
        #expect(first.received(publish, now: 3) == .sendError(id: .number(7), code: .rateLimited, message: "more than 1 publishes per second"))
        guard case .publish = stranger.received(publish, now: 4) else { Issue.record("another user's budget was spent"); return }
        guard case .publish = second.received(publish, now: 2 * Self.second) else { Issue.record("budget did not refill"); return }
    }

    @Test("a send buffer over its bound closes the session with 4008, once")
    func slowConsumer() {
        var limits = GatewayLimits()
        limits.sendBufferBytes = 100
        var machine = GatewaySessionStateMachine(limits: limits, now: 0)
        #expect(machine.sending(bufferedBytes: 100) == .none)
        #expect(machine.sending(bufferedBytes: 101) == .close(code: WebSocketCloseCode.slowConsumer, reason: "send buffer overflow: read faster"))
        #expect(machine.state == .closed)
        #expect(machine.received(Self.frame(#"{"op":"typing","channel":"c"}"#), now: 1) == .none)
    }

    @Test("watch and unwatch map to actions; watches are bounded per connection")
    func watches() {
        var limits = GatewayLimits()
        limits.maxWatches = 2
        var machine = GatewaySessionStateMachine(limits: limits, now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        #expect(machine.received(Self.frame(#"{"op":"watch","video":"00000000-0000-0000-0000-0000000000A1","id":7}"#), now: 1)
                == .watch(id: .number(7), user: Self.user, video: "00000000-0000-0000-0000-0000000000a1"))
        machine.watching("00000000-0000-0000-0000-0000000000a1")
        machine.watching("00000000-0000-0000-0000-0000000000a2")
        #expect(machine.received(Self.frame(#"{"op":"watch","video":"00000000-0000-0000-0000-0000000000A1"}"#), now: 2) == .watch(id: nil, user: Self.user, video: "00000000-0000-0000-0000-0000000000a1"))
        #expect(machine.received(Self.frame(#"{"op":"watch","video":"00000000-0000-0000-0000-0000000000a3"}"#), now: 3)
                == .sendError(id: nil, code: .tooManyWatches, message: "at most 2 videos"))
        #expect(machine.received(Self.frame(#"{"op":"unwatch","video":"00000000-0000-0000-0000-0000000000a2"}"#), now: 4) == .unwatch(id: nil, video: "00000000-0000-0000-0000-0000000000a2"))
        #expect(machine.watches == ["00000000-0000-0000-0000-0000000000a1"])
        #expect(machine.received(Self.frame(#"{"op":"watch","video":"00000000-0000-0000-0000-0000000000a3"}"#), now: 5) == .watch(id: nil, user: Self.user, video: "00000000-0000-0000-0000-0000000000a3"))
    }

    @Test("ping is answered with pong (echoing its id) once authenticated, refused before")
    func ping() {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        #expect(machine.received(Self.frame(#"{"op":"ping","id":"p0"}"#), now: 1)
                == .sendError(id: .string("p0"), code: .unauthorized, message: "send auth first"))
        _ = machine.authenticated(Self.user, id: nil)
        #expect(machine.received(Self.frame(#"{"op":"ping","id":"p1"}"#), now: 2) == .pong(id: .string("p1")))
        #expect(machine.received(Self.frame(#"{"op":"ping"}"#), now: 3) == .pong(id: nil))
    }

    @Test("malformed JSON, unknown ops and bad fields are error events, not crashes", arguments: [
        ("{", "bad_request"), ("[]", "bad_request"), (#"{"op":42}"#, "bad_request"), (#"{"op":"dance"}"#, "unknown_op"),
        (#"{"op":"subscribe"}"#, "bad_request"), (#"{"op":"subscribe","channel":"c","since":-1}"#, "bad_request"),
        (#"{"op":"publish","channel":"c","body":"x"}"#, "bad_request"), (#"{"op":"publish","channel":"c","client_id":"k","body":"a\u0000b"}"#, "bad_request"),
        (#"{"op":"publish","channel":"c","client_id":"k\u0000","body":"x"}"#, "bad_request"), (#"{"op":"subscribe","channel":"c\u0000"}"#, "bad_request"), (#"{}"#, "bad_request"),
        (#"{"op":"watch"}"#, "bad_request"), (#"{"op":"watch","video":""}"#, "bad_request"), (#"{"op":"unwatch","video":7}"#, "bad_request"), (#"{"op":"watch","video":"v1"}"#, "bad_request"),
    ])
    func invalidFrames(json: String, code: String) {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        guard case .sendError(_, let actual, _) = machine.received(Self.frame(json), now: 1) else {
            Issue.record("expected an error event for \(json)")
            return
        }
        #expect(actual.rawValue == code)
    }

    @Test("bodies over the limit are refused with too_large")
    func oversizedBody() {
        var limits = GatewayLimits()
        limits.maxBodyBytes = 10
        var machine = GatewaySessionStateMachine(limits: limits, now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        let action = machine.received(Self.frame(#"{"op":"publish","channel":"c","client_id":"k","body":"01234567890"}"#), now: 1)
        guard case .sendError(_, API.ErrorCode.tooLarge, _) = action else { Issue.record("\(action)"); return }
    }

    @Test("floods are rate limited, then closed with 4029")
    func flood() {
        var limits = GatewayLimits()
        limits.opsPerSecond = 10
        limits.opsBurst = 10
        var machine = GatewaySessionStateMachine(limits: limits, now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        var errors = 0
        var closed = false
        for _ in 0..<100 {
            switch machine.received(Self.frame(#"{"op":"typing","channel":"c"}"#), now: 1) {
            case .sendError(_, API.ErrorCode.rateLimited, _): errors += 1
            case .close(WebSocketCloseCode.rateLimited, _): closed = true
            default: break
            }
            if closed { break }
        }
        #expect(errors == 20 && closed)
    }

    @Test("no auth in time closes with 4001; an expired token closes on the next request")
    func timeouts() {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        #expect(machine.tick(now: 5 * Self.second) == .none)
        guard case .close(WebSocketCloseCode.unauthorized, _) = machine.tick(now: 10 * Self.second) else { Issue.record(); return }

        var other = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        _ = other.authenticated(.init(id: "u", name: "n", expires: 2 * Self.second), id: nil)
        guard case .close(WebSocketCloseCode.unauthorized, _) = other.received(Self.frame(#"{"op":"typing","channel":"c"}"#), now: 3 * Self.second) else { Issue.record(); return }
    }

    @Test("a token that expires without a fresh auth closes the connection with 4001 at its expiry")
    func expiryCloses() {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        #expect(machine.nextDeadline == 10 * Self.second)
        _ = machine.authenticated(.init(id: "u", name: "n", expires: 20 * Self.second), id: nil)
        #expect(machine.nextDeadline == 20 * Self.second)
        #expect(machine.tick(now: 19 * Self.second) == .none)
        _ = machine.authenticated(.init(id: "u", name: "n", expires: 40 * Self.second), id: nil)  // a fresh auth
        #expect(machine.tick(now: 30 * Self.second) == .none)
        guard case .close(WebSocketCloseCode.unauthorized, _) = machine.tick(now: 40 * Self.second) else { Issue.record(); return }
        #expect(machine.nextDeadline == nil)
    }

    @Test("a connection cannot switch users; binary frames close with 1003")
    func identity() {
        var machine = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        guard case .close(WebSocketCloseCode.unauthorized, _) = machine.authenticated(.init(id: "other", name: "x", expires: .max), id: nil) else { Issue.record(); return }
        var binary = GatewaySessionStateMachine(limits: GatewayLimits(), now: 0)
        #expect(binary.receivedBinary() == .close(code: WebSocketCloseCode.unsupportedData, reason: "binary frames are not supported"))
    }

    @Test("token bucket refills at its rate up to its burst")
    func bucket() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: 0)
        var taken: [Bool] = []
        for now in [0, 0, 0, 0, 500_000_000, 500_000_000] as [UInt64] { taken.append(bucket.take(now: now)) }
        for _ in 0..<4 { taken.append(bucket.take(now: 10 * Self.second)) }
        #expect(taken == [true, true, true, false, true, false, true, true, true, false])
    }
}
