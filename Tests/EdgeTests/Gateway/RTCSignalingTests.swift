import StreamLyAPI
import StreamLySFU
import StreamLyEdgeDirectory
import Testing
@testable import StreamLyEdge

@Suite("Gateway: rtc.* requests and the session's call state")
struct RTCSignalingTests {
    static let user = GatewaySessionStateMachineTests.user

    func parse(_ json: String, limits: GatewayLimits = GatewayLimits()) -> Result<(RequestID?, ClientRequest), ClientRequest.Invalid> {
        ClientRequest.parse(Array(json.utf8), limits: limits)
    }

    func request(_ json: String) -> RTCRequest? {
        if case .success((_, .rtc(let request))) = parse(json) { return request }
        return nil
    }

    func failure(_ json: String, limits: GatewayLimits = GatewayLimits()) -> API.ErrorCode? {
        if case .failure(let invalid) = parse(json, limits: limits) { return invalid.code }
        return nil
    }

    @Test("every op of DESIGN.md parses into its request")
    func opsParse() {
        #expect(request(#"{"op":"rtc.join","channel":"c1"}"#) == .join(channel: "c1"))
        #expect(request(#"{"op":"rtc.offer","pc":"pub","sdp":"v=0"}"#) == .offer(sdp: "v=0", sources: [:]))
        #expect(request(#"{"op":"rtc.offer","pc":"pub","sdp":"v=0","sources":{"2":"screen"}}"#)
                == .offer(sdp: "v=0", sources: ["2": .screen]))
        #expect(request(#"{"op":"rtc.answer","pc":"sub","sdp":"v=0"}"#) == .answer(sdp: "v=0"))
        #expect(request(#"{"op":"rtc.candidate","pc":"pub","candidate":"candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host"}"#)
                == .candidate(pc: "pub", candidate: "candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host"))
        #expect(request(#"{"op":"rtc.candidate","pc":"sub","candidate":""}"#) == .candidate(pc: "sub", candidate: ""))
        #expect(request(#"{"op":"rtc.mute","track":"t1","muted":true}"#) == .mute(track: "t1", muted: true))
        #expect(request(#"{"op":"rtc.quality","track":"t1","quality":"low"}"#) == .quality(track: "t1", quality: .low))
        #expect(request(#"{"op":"rtc.leave"}"#) == .leave)
    }

    @Test("bad rtc requests get a clear error code")
    func badRequests() {
        #expect(failure(#"{"op":"rtc.join"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.offer","pc":"sub","sdp":"v=0"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.offer","pc":"pub"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.answer","pc":"pub","sdp":"v=0"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.offer","pc":"pub","sdp":"v=0","sources":{"0":"webcam"}}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.candidate","pc":"pub","candidate":"nonsense"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.mute","track":"t1"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.quality","track":"t1","quality":"ultra"}"#) == .badRequest)
        #expect(failure(#"{"op":"rtc.dance"}"#) == .unknownOp)
        var limits = GatewayLimits()
        limits.maxSDPBytes = 10
        #expect(failure(#"{"op":"rtc.offer","pc":"pub","sdp":"v=0 0123456789"}"#, limits: limits) == .tooLarge)
    }

    @Test("one call per connection; rtc ops need a call and have their own rate limit")
    func sessionCallState() {
        var limits = GatewayLimits()
        limits.rtcOpsPerSecond = 1
        limits.rtcOpsBurst = 3
        var machine = GatewaySessionStateMachine(limits: limits, now: 0)
        _ = machine.authenticated(Self.user, id: nil)
        let mute = Array(#"{"op":"rtc.mute","track":"t1","muted":true}"#.utf8)
        #expect(machine.received(mute, now: 1) == .sendError(id: nil, code: .notInCall, message: "rtc.join first"))
        #expect(machine.received(Array(#"{"op":"rtc.join","channel":"c1","id":7}"#.utf8), now: 2)
                == .rtc(id: .number(7), user: Self.user, request: .join(channel: "c1"), call: nil))
        let membership = CallMembership(channel: "c1", participant: "p1")
        machine.joinedCall(membership)
        #expect(machine.received(mute, now: 3)
                == .rtc(id: nil, user: Self.user, request: .mute(track: "t1", muted: true), call: membership))
        #expect(machine.received(Array(#"{"op":"rtc.join","channel":"c2"}"#.utf8), now: 4)
                == .sendError(id: nil, code: .rateLimited, message: "more than 1 rtc requests per second"))
        #expect(machine.received(Array(#"{"op":"rtc.join","channel":"c2"}"#.utf8), now: 2 * GatewaySessionStateMachineTests.second)
                == .sendError(id: nil, code: .alreadyInCall, message: "already in the call of c1: rtc.leave first"))
        #expect(machine.leftCall(participant: "other") == nil)
        #expect(machine.leftCall(participant: "p1") == membership)
        #expect(machine.call == nil)
    }

    @Test("the sub offer, participants, tracks and speakers become the documented events")
    func events() {
        let track = TrackInfo(id: "t1", kind: "video", source: .camera, muted: false, simulcast: true)
        let joined = RTCEvents.joined(id: .number(1), channel: "c1", participant: "p2",
                                      others: [ParticipantInfo(id: "p1", user: "u1", tracks: [track])])
        #expect(String(buffer: joined) == #"{"channel":"c1","id":1,"op":"rtc.joined","participant":"p2","participants":[{"id":"p1","tracks":[{"id":"t1","kind":"video","muted":false,"simulcast":true,"source":"camera"}],"user":"u1"}]}"#)
        #expect(String(buffer: RTCEvents.offer(sdp: "v=0\r\n")) == #"{"op":"rtc.offer","pc":"sub","sdp":"v=0\r\n"}"#)
        #expect(String(buffer: RTCEvents.answer(id: .string("o"), result: PublishResult(sdp: "v=0", tracks: [.init(mid: "0", info: track)])))
                == #"{"id":"o","op":"rtc.answer","pc":"pub","sdp":"v=0","tracks":[{"id":"t1","kind":"video","mid":"0","source":"camera"}]}"#)
        #expect(String(buffer: RTCEvents.participant(id: "p1", user: "u1", joined: false))
                == #"{"op":"rtc.participant","participant":"p1","state":"left","user":"u1"}"#)
        #expect(String(buffer: RTCEvents.track(track, participant: "p1", state: .muted))
                == #"{"kind":"video","op":"rtc.track","participant":"p1","source":"camera","state":"muted","track":"t1"}"#)
        #expect(String(buffer: RTCEvents.speakers([.init(participant: "p1", level: 0.5)]))
                == #"{"op":"rtc.speakers","speakers":[{"level":0.5,"participant":"p1"}]}"#)
    }
}

@Suite("Gateway: a call membership is counted in the directory once and uncounted once")
struct CallMembershipCountTests {
    /// The edge removing a participant (its transport gone, its call closed, the edge draining)
    /// uncounts it: the connection's later end finds no membership left, and before this
    /// nothing uncounted it, so the edge announced the call as hosted until it withdrew.
    @Test func removalByTheEdgeUncountsTheParticipantOnce() {
        let directory = EdgeDirectory(localID: "a", region: "eu")
        let session = ChatHubTests.session(1)
        let membership = CallMembership(channel: "c1", participant: "p1")
        session.state.withLock { $0.machine.joinedCall(membership) }
        directory.participantJoined(call: "c1")
        directory.participantJoined(call: "c1")  // another participant of the call on this edge
        let listener = RTCSessionListener(session: session, membership: membership, directory: directory)
        listener.removed(reason: "transport closed", rejoin: false)
        #expect(directory.hostedCalls == ["c1": 1])
        listener.removed(reason: "again", rejoin: true)
        #expect(directory.hostedCalls == ["c1": 1], "a second removal uncounts nothing")
        #expect(session.state.withLock { $0.machine.call } == nil)
    }
}
