import NIOCore
import NIOPosix
import StreamLySFU
import MetricsTestKit
import StreamLySFUNative
import Testing

/// The media transport over loopback with a peer played by hand (`SwiftPeer`), so each
/// datagram the edge sends, or does not send, is visible.
@Suite(.serialized)
struct MediaServerTests {
    /// A check with a wrong ufrag and one with a wrong MESSAGE-INTEGRITY get no answer; the
    /// valid one after them is the first datagram back: a signed success response whose
    /// XOR-MAPPED-ADDRESS is the peer's address (RFC 8445 §7.3, RFC 8489 §14.2, §14.5).
    @Test(arguments: [false, true])
    func onlyChecksWithTheRightUfragAndIntegrityAreAnswered(overTCP: Bool) async throws {
        try await withServer { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server, tcp: overTCP)
            let transport = try await loop.submit { server.makeTransport(on: loop) }.get()
            let remote = peer.remoteParameters()
            try await loop.submit { transport.start(remote: remote) }.get()

            let (_, wrongUfrag) = peer.bindingRequest(to: transport.local, ufrag: "nobody")
            let (_, wrongIntegrity) = peer.bindingRequest(to: transport.local, password: "not-the-password-at-all")
            try await peer.send(wrongUfrag)
            try await peer.send(wrongIntegrity)
            let response = try await peer.nominate(transport.local)

            #expect(response.type == .bindingSuccess)
            #expect(response.verifyIntegrity(key: transport.local.ice.integrityKey))
            #expect(response.verifyFingerprint())
            let mapped = try #require(response.xorMappedAddress)
            #expect("\(mapped.ip)" == "127.0.0.1")
            #expect(Int(mapped.port) == peer.localAddress.port)
            await peer.close()
        }
    }

    /// ICE, then DTLS (edge = server) with the peer's certificate matching its fingerprint:
    /// connected; SRTP from the peer reaches the delegate unprotected (payload type, SSRC,
    /// payload intact), SRTCP too, and RTP the edge sends back is SRTP the peer can unprotect.
    /// Over UDP, and over ICE-TCP (RFC 6544, RFC 4571 frames).
    @Test(arguments: [false, true])
    func aPeerConnectsAndSRTPFlowsBothWays(overTCP: Bool) async throws {
        try await withServer { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server, tcp: overTCP)
            let delegate = RecordingDelegate(echo: [111: 0xABCD_0001])
            let remote = peer.remoteParameters()
            let transport = try await Self.startTransport(server, on: loop, delegate: delegate, remote: remote)
            _ = try await peer.nominate(transport.local)
            try await peer.handshake()
            _ = try await delegate.events.first("connected") { $0 == .connected }

            let payload = (0..<160).map { UInt8(truncatingIfNeeded: $0 * 7) }
            var packet = SwiftPeer.rtpPacket(payloadType: 111, ssrc: 0x1234_5678, sequenceNumber: 1, payload: payload)
            try peer.outbound?.protectRTP(&packet)
            try await peer.send(packet)
            let first = try await delegate.events.first("RTP") { if case .firstRTP = $0 { return true }; return false }
            #expect(first == .firstRTP(payloadType: 111, ssrc: 0x1234_5678))

            var echoed = Array(try await peer.nextRTP().readableBytesView)
            try #require(peer.inbound).unprotectRTP(&echoed)
            let parsed = try RTPPacket.parse(ByteBuffer(bytes: echoed))
            #expect(parsed.ssrc == 0xABCD_0001)
            #expect(parsed.payloadType == 111)
            #expect(Array(parsed.payload.readableBytesView) == payload)

            var pli = Array(RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 0xABCD_0001).serialized().readableBytesView)
            try peer.outbound?.protectRTCP(&pli)
            try await peer.send(pli)
            _ = try await delegate.events.first("RTCP") { $0 == .rtcp }
            await peer.close()
        }
    }

    /// The peer answered `a=setup:passive`: the edge is the DTLS client and sends its
    /// ClientHello on the nominated path; SRTP then flows as in the server role.
    @Test func theEdgeConnectsAsDTLSClientWhenThePeerIsPassive() async throws {
        try await withServer { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server, dtlsRole: .server)
            let delegate = RecordingDelegate(echo: [96: 0x0000_0E0E])
            let remote = peer.remoteParameters()
            #expect(remote.setup == .passive)
            let transport = try await Self.startTransport(server, on: loop, delegate: delegate, remote: remote)
            _ = try await peer.nominate(transport.local)
            try await peer.finishHandshake()
            _ = try await delegate.events.first("connected") { $0 == .connected }
            var packet = SwiftPeer.rtpPacket(payloadType: 96, ssrc: 7, sequenceNumber: 9, payload: [1, 2, 3])
            try peer.outbound?.protectRTP(&packet)
            try await peer.send(packet)
            var echoed = Array(try await peer.nextRTP().readableBytesView)
            try #require(peer.inbound).unprotectRTP(&echoed)
            #expect(try RTPPacket.parse(ByteBuffer(bytes: echoed)).ssrc == 0x0000_0E0E)
            await peer.close()
        }
    }

    /// A ClientHello that arrives before the remote SDP (the peer's answer still in flight on
    /// the signaling path) is kept and answered once `start(remote:)` runs.
    @Test func dtlsBeforeTheRemoteParametersIsKept() async throws {
        try await withServer { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server)
            let transport = try await loop.submit { server.makeTransport(on: loop) }.get()
            let delegate = RecordingDelegate()
            try await loop.submit { transport.delegate = delegate }.get()
            _ = try await peer.nominate(transport.local)
            try await peer.sendClientHello()
            // The ClientHello reached the transport (bound address) before it had remote
            // parameters: a later check on the same path is answered first, the DTLS reply after start.
            _ = try await peer.nominate(transport.local)
            let remote = peer.remoteParameters()
            try await loop.submit { transport.start(remote: remote) }.get()
            try await peer.finishHandshake()
            _ = try await delegate.events.first("connected") { $0 == .connected }
            await peer.close()
        }
    }

    /// The peer presents a certificate whose sha-256 is not the one in its SDP: the transport
    /// closes with `.fingerprintMismatch` and never reports connected (RFC 8122 §5).
    @Test func aCertificateNotMatchingTheFingerprintCloses() async throws {
        try await withServer { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server)
            let other = try SelfSignedCertificate()
            let delegate = RecordingDelegate()
            let remote = peer.remoteParameters(fingerprint: other.sha256Fingerprint)
            let transport = try await Self.startTransport(server, on: loop, delegate: delegate, remote: remote)
            _ = try await peer.nominate(transport.local)
            try await peer.handshake()
            let event = try await delegate.events.first("close") {
                if case .closed = $0 { return true }
                return $0 == .connected
            }
            #expect(event == .closed(.fingerprintMismatch))
            #expect(try await loop.submit { transport.isClosed }.get())
            await peer.close()
        }
    }

    /// Consent freshness (RFC 7675 §5.1): a connected peer that stops sending checks is gone
    /// after the consent timeout (shortened here), reported as `.consentExpired`.
    @Test func aSilentPeerLosesConsent() async throws {
        // Long enough that a loaded machine still nominates before it runs out.
        let configuration = MediaServerConfiguration(ice: IceLiteConfiguration(consentTimeout: .seconds(3)))
        try await withServer(configuration) { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server)
            let delegate = RecordingDelegate()
            let remote = peer.remoteParameters()
            let transport = try await Self.startTransport(server, on: loop, delegate: delegate, remote: remote)
            _ = try await peer.nominate(transport.local)
            let event = try await delegate.events.first("close") { if case .closed = $0 { return true }; return false }
            #expect(event == .closed(.consentExpired))
            // Closed: its ufrag is gone from the router, so a valid check gets no answer; the
            // check to a fresh transport sent after it is the first datagram back.
            let fresh = try await loop.submit { server.makeTransport(on: loop) }.get()
            let (_, stale) = peer.bindingRequest(to: transport.local)
            try await peer.send(stale)
            let response = try await peer.nominate(fresh.local)
            #expect(response.verifyIntegrity(key: fresh.local.ice.integrityKey))
            await peer.close()
        }
    }

    /// ICE-TCP: a frame announcing more than the datagram limit closes the connection
    /// instead of buffering it (an outsider controls the length, RFC 4571 §2).
    @Test func anOversizedTCPFrameClosesTheConnection() async throws {
        try await withServer { server, group, _ in
            let bound = server.localTCPAddress
            let socket = try await TCPTestSocket(group: group, server: try SocketAddress(ipAddress: "\(bound.ip)",
                                                                                         port: Int(bound.port)))
            try await socket.sendRaw([0xFF, 0xFF] + [UInt8](repeating: 0, count: 64))
            let error = await #expect(throws: TimeoutError.self) { _ = try await socket.next() }
            #expect(error?.description == "connection closed")
            await socket.close()
        }
    }

    /// The counters say what happened: STUN dropped by reason, responses, a datagram from an
    /// address no check authenticated, SRTP packets in and out, connected and closed transports.
    @Test func dropsAndTrafficAreCounted() async throws {
        let metrics = TestMetrics()
        try await withServer(metrics: metrics) { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server)
            let delegate = RecordingDelegate(echo: [111: 0xABCD_0002])
            let remote = peer.remoteParameters()
            let transport = try await Self.startTransport(server, on: loop, delegate: delegate, remote: remote)
            let (_, wrongUfrag) = peer.bindingRequest(to: transport.local, ufrag: "nobody")
            let (_, wrongIntegrity) = peer.bindingRequest(to: transport.local, password: "not-the-password-at-all")
            try await peer.send(wrongUfrag)
            try await peer.send(wrongIntegrity)
            _ = try await peer.nominate(transport.local)
            #expect(try metrics.expectCounter("streamly_rtc_stun_dropped_total", [("reason", "unknown-ufrag")]).totalValue == 1)
            #expect(try metrics.expectCounter("streamly_rtc_stun_dropped_total", [("reason", "bad-integrity")]).totalValue == 1)
            #expect(try metrics.expectCounter("streamly_rtc_stun_responses_total").totalValue == 1)

            // RTP from an address no check came from, then a check from it to another
            // transport: its answer proves the RTP was handled (one socket, one order).
            let stranger = try await SwiftPeer(group: group, server: server)
            let other = try await loop.submit { server.makeTransport(on: loop) }.get()
            try await stranger.send(SwiftPeer.rtpPacket(payloadType: 111, ssrc: 5, sequenceNumber: 1, payload: [0]))
            _ = try await stranger.nominate(other.local)
            #expect(try metrics.expectCounter("streamly_rtc_datagrams_dropped_total", [("reason", "unknown-address")]).totalValue == 1)

            try await peer.handshake()
            _ = try await delegate.events.first("connected") { $0 == .connected }
            var packet = SwiftPeer.rtpPacket(payloadType: 111, ssrc: 9, sequenceNumber: 1, payload: [1, 2, 3, 4])
            try peer.outbound?.protectRTP(&packet)
            try await peer.send(packet)
            _ = try await peer.next()  // the echo
            #expect(try metrics.expectCounter("streamly_rtc_packets_total", [("direction", "in"), ("kind", "rtp")]).totalValue == 1)
            #expect(try metrics.expectCounter("streamly_rtc_packets_total", [("direction", "out"), ("kind", "rtp")]).totalValue == 1)
            #expect(try metrics.expectCounter("streamly_rtc_transports_connected_total").totalValue == 1)
            #expect(try metrics.expectCounter("streamly_rtc_transports_created_total").totalValue == 2)
            try await loop.submit { transport.close() }.get()
            #expect(try metrics.expectCounter("streamly_rtc_transports_closed_total", [("reason", "closed")]).totalValue == 1)
            #expect(try metrics.expectGauge("streamly_rtc_transports").lastValue == 1)
            await peer.close()
            await stranger.close()
        }
    }

    /// A transport answers at most `stunChecksPerSecond` checks per second (bursts of twice
    /// that): with 1/s, of ten back-to-back valid checks only the burst and what refilled while
    /// they were sent get an answer, while a check to another transport sent after them is
    /// answered. The bound uses the measured sending time, so a loaded machine cannot fail it.
    @Test func checksBeyondTheRateLimitAreNotAnswered() async throws {
        let metrics = TestMetrics()
        var configuration = MediaServerConfiguration()
        configuration.stunChecksPerSecond = 1
        try await withServer(configuration, metrics: metrics) { server, group, loop in
            let peer = try await SwiftPeer(group: group, server: server)
            let (transport, other) = try await loop.submit {
                (server.makeTransport(on: loop), server.makeTransport(on: loop))
            }.get()
            let checks = 10
            var sent: [StunTransactionID] = []
            let start = ContinuousClock.now
            for _ in 0..<checks {
                let (id, request) = peer.bindingRequest(to: transport.local, useCandidate: false)
                sent.append(id)
                try await peer.send(request)
            }
            let sending = ContinuousClock.now - start
            let (last, request) = peer.bindingRequest(to: other.local)
            try await peer.send(request)
            var answered: [StunTransactionID] = []
            while answered.last != last {
                answered.append(try StunMessage.parse(try await peer.next()).transactionID)
            }
            answered.removeLast()
            let refilled = Int(sending.components.seconds) + 1
            #expect(answered.count >= 2, "the burst is answered")
            #expect(answered.count <= min(checks - 1, 2 + refilled), "sent in \(sending): \(answered.count) answered")
            #expect(answered == sent.filter(answered.contains), "answers come in order, for checks that were sent")
            #expect(try metrics.expectCounter("streamly_rtc_stun_dropped_total", [("reason", "rate-limited")]).totalValue
                    == Int64(checks - answered.count))
            await peer.close()
        }
    }

    /// `rtc.max.transports`: the transport beyond the limit comes back closed.
    @Test func transportsBeyondTheLimitAreClosed() async throws {
        try await withServer(MediaServerConfiguration(maximumTransports: 2)) { server, _, loop in
            let transports = try await loop.submit { (0..<3).map { _ in server.makeTransport(on: loop) } }.get()
            let closed = try await loop.submit { transports.map(\.isClosed) }.get()
            #expect(closed == [false, false, true])
            #expect(Set(transports.map(\.local.ice.ufrag)).count == 3)
            #expect(server.isReady)
        }
    }

    /// Local parameters: sha-256 of the server certificate, a UDP host candidate on the
    /// announced address and bound port, a passive TCP candidate below it when ICE-TCP is on.
    @Test func localParametersCarryFingerprintAndCandidates() async throws {
        let configuration = MediaServerConfiguration(host: "127.0.0.1", port: 0,
                                                     announcedIPs: ["192.0.2.10"], tcpPort: 0)
        try await withServer(configuration) { server, _, loop in
            let transport = try await loop.submit { server.makeTransport(on: loop) }.get()
            let local = transport.local
            #expect(local.fingerprints == [SDPFingerprint(hashFunction: "sha-256", value: server.certificate.sha256Fingerprint)])
            #expect(local.setup == .passive)
            #expect(local.ice.ufrag.count >= 4 && local.ice.password.count >= 22)
            let udp = try #require(local.candidates.first)
            #expect(udp.transport == "udp" && udp.address == "192.0.2.10" && udp.port == server.localAddress.port)
            let tcp = try #require(local.candidates.last)
            #expect(tcp.transport == "tcp" && tcp.tcpType == "passive" && tcp.port == server.localTCPAddress.port)
            #expect(tcp.port != 0)
            #expect(tcp.priority < udp.priority)
        }
    }

    /// A transport of `server` on `loop`, reporting to `delegate`, started for `remote`.
    static func startTransport(_ server: MediaServer, on loop: any EventLoop, delegate: RecordingDelegate,
                               remote: RemoteTransportParameters) async throws -> WebRTCTransport {
        try await loop.submit {
            let transport = server.makeTransport(on: loop)
            transport.delegate = delegate
            transport.start(remote: remote)
            return transport
        }.get()
    }

    private func withServer(
        _ configuration: MediaServerConfiguration = .init(), metrics: TestMetrics? = nil,
        _ body: (MediaServer, any EventLoopGroup, any EventLoop) async throws -> Void
    ) async throws {
        var configuration = configuration
        if configuration.announcedIPs == nil {
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configuration.announcedIPs = ["127.0.0.1"]
            configuration.tcpPort = 0
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = try MediaServer(configuration: configuration, group: group, metricsFactory: metrics)
        try await server.start()
        var loop = group.next()
        if loop === server.socketEventLoop { loop = group.next() }
        do {
            try await body(server, group, loop)
        } catch {
            try? await server.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        try await server.shutdown()
        #expect(!server.isReady)
        try await group.shutdownGracefully()
    }
}
