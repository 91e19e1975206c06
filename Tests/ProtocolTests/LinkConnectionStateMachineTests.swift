import NIOCore
import Testing
@testable import StreamLyProtocol

/// Proof = side tag + secret + nonces: enough to tell right from wrong secrets.
struct FakeAuthenticator: LinkAuthenticator {
    var secret: String
    var methods: LinkAuthMethods = .clusterSecret

    func proof(_ side: LinkAuthSide, context: LinkAuthContext) -> [UInt8] {
        Array((side == .client ? "c" : "s").utf8) + Array(secret.utf8) + context.clientNonce + context.serverNonce
    }

    func verify(_ proof: [UInt8], of side: LinkAuthSide, context: LinkAuthContext) -> Bool {
        proof == self.proof(side, context: context)
    }
}

/// Two state machines wired back to back.
struct Pair {
    var client: LinkConnectionStateMachine
    var server: LinkConnectionStateMachine
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    init(clientSecret: String = "s", serverSecret: String = "s", clientVersions: ClosedRange<UInt16> = 1...1,
         serverSettings: LinkSettings = LinkSettings(), clientSettings: LinkSettings = LinkSettings()) {
        client = LinkConnectionStateMachine(configuration: .init(
            nodeID: "edge", role: .edge, isInitiator: true, authenticator: FakeAuthenticator(secret: clientSecret),
            settings: clientSettings, versions: clientVersions))
        server = LinkConnectionStateMachine(configuration: .init(
            nodeID: "origin", role: .origin, isInitiator: false, authenticator: FakeAuthenticator(secret: serverSecret),
            settings: serverSettings))
    }

    /// Runs the handshake; returns the last action of each side.
    mutating func handshake() -> (client: LinkConnectionStateMachine.ReceiveAction?, server: LinkConnectionStateMachine.ReceiveAction?) {
        _ = server.start(nonce: Array(repeating: 2, count: 32), now: now)
        var toServer = client.start(nonce: Array(repeating: 1, count: 32), now: now)
        var lastClient: LinkConnectionStateMachine.ReceiveAction?
        var lastServer: LinkConnectionStateMachine.ReceiveAction?
        while let frame = toServer {
            toServer = nil
            let serverAction = server.receive(frame, now: now)
            lastServer = serverAction
            let reply: LinkFrame?
            switch serverAction {
            case .send(let f): reply = f
            case .established(_, let f): reply = f
            case .fail(_, let f): reply = f
            default: reply = nil
            }
            guard let reply else { break }
            let clientAction = client.receive(reply, now: now)
            lastClient = clientAction
            switch clientAction {
            case .send(let f): toServer = f
            case .fail(_, let f): _ = server.receive(f, now: now)
            default: break
            }
        }
        return (lastClient, lastServer)
    }
}

@Suite("Connection state machine")
struct LinkConnectionStateMachineTests {
    @Test("handshake establishes both sides with the peer's identity")
    func handshake() {
        var pair = Pair()
        let (client, server) = pair.handshake()
        guard case .established(let serverPeer, .some(.authOK)) = server else { Issue.record("server: \(String(describing: server))"); return }
        guard case .established(let clientPeer, nil) = client else { Issue.record("client: \(String(describing: client))"); return }
        #expect(serverPeer.nodeID == "edge" && serverPeer.role == .edge)
        #expect(clientPeer.nodeID == "origin" && clientPeer.version == 1)
        #expect(pair.client.isActive && pair.server.isActive)
    }

    @Test("a wrong secret is refused with AUTH_FAILED")
    func wrongSecret() {
        var pair = Pair(clientSecret: "wrong")
        let (_, server) = pair.handshake()
        guard case .fail(let error, .goAway(let goAway)) = server else { Issue.record("\(String(describing: server))"); return }
        #expect(error.code == .authFailed && goAway.code == .authFailed)
        #expect(!pair.server.isActive)
    }

    @Test("no common version is refused with UNSUPPORTED_VERSION")
    func unsupportedVersion() {
        var pair = Pair(clientVersions: 7...9)
        let (_, server) = pair.handshake()
        guard case .fail(let error, .goAway(let goAway)) = server else { Issue.record("\(String(describing: server))"); return }
        #expect(error.code == .unsupportedVersion && goAway.code == .unsupportedVersion)
    }

    @Test("frames out of handshake order are protocol errors")
    func outOfOrder() {
        var pair = Pair()
        _ = pair.server.start(nonce: Array(repeating: 2, count: 32), now: pair.now)
        let action = pair.server.receive(.ping(.init(opaque: 1, ack: false)), now: pair.now)
        guard case .fail(let error, _) = action else { Issue.record("\(action)"); return }
        #expect(error.code == .protocolError)
    }

    @Test("the handshake times out")
    func handshakeTimeout() {
        var pair = Pair()
        _ = pair.server.start(nonce: Array(repeating: 2, count: 32), now: pair.now)
        #expect(pair.server.tick(now: pair.now + .seconds(1)) == .none)
        guard case .close(.goAway(let goAway)) = pair.server.tick(now: pair.now + .seconds(11)) else { Issue.record(); return }
        #expect(goAway.code == .handshakeTimeout)
    }

    @Test("heartbeat pings while the peer talks and closes after three silent intervals")
    func heartbeat() {
        var pair = Pair()
        _ = pair.handshake()
        guard case .sendPing = pair.client.tick(now: pair.now + .seconds(5)) else { Issue.record(); return }
        _ = pair.client.receive(.ping(.init(opaque: 1, ack: true)), now: pair.now + .seconds(5))
        guard case .sendPing = pair.client.tick(now: pair.now + .seconds(15)) else { Issue.record(); return }
        guard case .close(.goAway(let goAway)) = pair.client.tick(now: pair.now + .seconds(21)) else { Issue.record(); return }
        #expect(goAway.code == .heartbeatTimeout)
    }

    @Test("PING is answered with an ACK carrying the same bytes")
    func pingAck() {
        var pair = Pair()
        _ = pair.handshake()
        guard case .send(.ping(let ack)) = pair.server.receive(.ping(.init(opaque: 42, ack: false)), now: pair.now) else { Issue.record(); return }
        #expect(ack.ack && ack.opaque == 42)
    }

    @Test("streams: request, response and END_STREAM close the stream on both sides")
    func requestResponse() throws {
        var pair = Pair()
        _ = pair.handshake()
        let id = try pair.client.openStream()
        #expect(id == LinkStreamID(1))
        pair.client.sent(bodyBytes: 0, on: id, endStream: true)
        guard case .request(let request) = pair.server.receive(.request(.init(streamID: id, method: "m", endStream: true)), now: pair.now) else { Issue.record(); return }
        #expect(request.method == "m")
        pair.server.sent(bodyBytes: 2, on: id, endStream: true, isResponseHead: true)
        #expect(pair.server.openStreamCount == 0)
        guard case .response = pair.client.receive(.response(.init(streamID: id, status: 200, body: ByteBuffer(string: "ok"), endStream: true)), now: pair.now) else { Issue.record(); return }
        #expect(pair.client.openStreamCount == 0)
        #expect(try pair.client.openStream() == LinkStreamID(3))
    }

    @Test("a peer opening a stream with the wrong parity or going backwards is a protocol error")
    func badStreamIDs() {
        var pair = Pair()
        _ = pair.handshake()
        guard case .fail(let error, _) = pair.client.receive(.request(.init(streamID: LinkStreamID(1), method: "m", endStream: true)), now: pair.now) else { Issue.record(); return }
        #expect(error.code == .protocolError)

        var other = Pair()
        _ = other.handshake()
        _ = other.server.receive(.request(.init(streamID: LinkStreamID(5), method: "m", endStream: false)), now: other.now)
        guard case .fail(let again, _) = other.server.receive(.request(.init(streamID: LinkStreamID(3), method: "m", endStream: true)), now: other.now) else { Issue.record(); return }
        #expect(again.code == .protocolError)
    }

    @Test("send credit: limited by the stream window, restored by WINDOW_UPDATE")
    func sendCredit() throws {
        var settings = LinkSettings()
        settings.initialStreamWindow = 100_000
        var pair = Pair(serverSettings: settings)
        _ = pair.handshake()
        let id = try pair.client.openStream()
        #expect(pair.client.sendableBytes(on: id) == 65_536)
        pair.client.sent(bodyBytes: 65_536, on: id, endStream: false)
        #expect(pair.client.sendableBytes(on: id) == 100_000 - 65_536)
        pair.client.sent(bodyBytes: 100_000 - 65_536, on: id, endStream: false)
        #expect(pair.client.sendableBytes(on: id) == 0)
        guard case .windowOpened(id) = pair.client.receive(.windowUpdate(.init(streamID: id, increment: 500)), now: pair.now) else { Issue.record(); return }
        #expect(pair.client.sendableBytes(on: id) == 500)
    }

    @Test("a peer exceeding the stream window is a FLOW_CONTROL_ERROR")
    func receiveWindowViolation() throws {
        var settings = LinkSettings()
        settings.initialStreamWindow = 16
        var pair = Pair(serverSettings: settings)
        _ = pair.handshake()
        _ = pair.server.receive(.request(.init(streamID: LinkStreamID(1), method: "m", body: ByteBuffer(repeating: 1, count: 10), endStream: false)), now: pair.now)
        guard case .fail(let error, .goAway(let goAway)) = pair.server.receive(.data(.init(streamID: LinkStreamID(1), body: ByteBuffer(repeating: 1, count: 7), endStream: false)), now: pair.now) else { Issue.record(); return }
        #expect(error.code == .flowControlError && goAway.code == .flowControlError)
    }

    @Test("consumed bytes are credited back in half-window batches")
    func creditBatching() {
        var settings = LinkSettings()
        settings.initialStreamWindow = 1_000
        var pair = Pair(serverSettings: settings)
        _ = pair.handshake()
        _ = pair.server.receive(.request(.init(streamID: LinkStreamID(1), method: "m", body: ByteBuffer(repeating: 1, count: 400), endStream: false)), now: pair.now)
        #expect(pair.server.consumed(400, on: LinkStreamID(1)) == nil)
        let update = pair.server.consumed(100, on: LinkStreamID(1))
        #expect(update == .windowUpdate(.init(streamID: LinkStreamID(1), increment: 500)))
    }

    @Test("the connection window is credited as bytes arrive, read or not")
    func connectionCredit() {
        var settings = LinkSettings()
        settings.connectionWindow = 1_000
        var pair = Pair(serverSettings: settings)
        _ = pair.handshake()
        #expect(pair.server.received(bodyBytes: 499) == nil)
        #expect(pair.server.received(bodyBytes: 1) == .windowUpdate(.init(streamID: .connection, increment: 500)))
        // Bytes on a stream we reset are still accounted: the peer may keep sending within the credit.
        _ = pair.server.receive(.request(.init(streamID: LinkStreamID(1), method: "m", body: ByteBuffer(repeating: 1, count: 400), endStream: false)), now: pair.now)
        _ = pair.server.received(bodyBytes: 400)
        _ = pair.server.reset(LinkStreamID(1), code: .cancel, reason: "")
        guard case .none = pair.server.receive(.data(.init(streamID: LinkStreamID(1), body: ByteBuffer(repeating: 1, count: 600), endStream: false)), now: pair.now) else { Issue.record(); return }
        #expect(pair.server.received(bodyBytes: 600) == .windowUpdate(.init(streamID: .connection, increment: 1_000)))
    }

    @Test("streams over MAX_CONCURRENT_STREAMS are refused, and so are new ones while draining")
    func refusedStreams() {
        var settings = LinkSettings()
        settings.maxConcurrentStreams = 1
        var pair = Pair(serverSettings: settings)
        _ = pair.handshake()
        guard case .request = pair.server.receive(.request(.init(streamID: LinkStreamID(1), method: "m", endStream: false)), now: pair.now) else { Issue.record(); return }
        guard case .send(.reset(let reset)) = pair.server.receive(.request(.init(streamID: LinkStreamID(3), method: "m", endStream: false)), now: pair.now) else { Issue.record(); return }
        #expect(reset.code == .refusedStream)

        var draining = Pair()
        _ = draining.handshake()
        guard case .goAway(let goAway) = draining.server.drain(reason: "bye") else { Issue.record(); return }
        #expect(goAway.code == .noError)
        guard case .send(.reset(let refused)) = draining.server.receive(.request(.init(streamID: LinkStreamID(1), method: "m", endStream: true)), now: draining.now) else { Issue.record(); return }
        #expect(refused.code == .refusedStream)
    }

    @Test("GOAWAY reports our streams above lastStreamID as refused and blocks new ones")
    func goAwayRefusesLaterStreams() throws {
        var pair = Pair()
        _ = pair.handshake()
        let first = try pair.client.openStream()
        let second = try pair.client.openStream()
        guard case .goAway(_, let refused, let close) = pair.client.receive(.goAway(.init(lastStreamID: first, code: .noError)), now: pair.now) else { Issue.record(); return }
        #expect(refused == [second] && !close)
        #expect(throws: LinkProtocolError.self) { try pair.client.openStream() }
        #expect(!pair.client.acceptsNewStreams)
    }

    @Test("handshake frames after the handshake are protocol errors")
    func lateHandshakeFrames() {
        var pair = Pair()
        _ = pair.handshake()
        guard case .fail(let error, _) = pair.server.receive(.auth(.init(proof: [])), now: pair.now) else { Issue.record(); return }
        #expect(error.code == .protocolError)
    }
}
