import NIOCore
import NIOPosix
import StreamLySFU
import Testing
import WebRTCTestSupport

/// The media transport against a real third-party WebRTC peer: aiortc 1.16 in a network
/// namespace (it skips loopback candidates), the edge side on the veth address.
@Suite(.serialized, .enabled(if: NetworkNamespace.isSupported, "needs root for ip netns"))
struct AiortcTransportTests {
    /// aiortc offers audio + video (`addTrack`: sendrecv); the answer comes from the
    /// transport's local parameters; ICE-lite + DTLS connect; aiortc's RTP arrives decrypted
    /// with its offered payload types and SSRCs; the edge echoes it back on its own SSRCs and
    /// aiortc decodes 640×480 video frames and audio frames.
    @Test func aiortcConnectsSendsAndDecodesTheEcho() async throws {
        try await withPeer { namespace, server, loop in
            let peer = try AiortcPeer(in: namespace, videoFrames: 15, audioFrames: 15)
            defer { Task { await peer.terminate() } }
            let offer = try SessionDescription.parse(try await peer.offer())
            let transport = try await loop.submit { server.makeTransport(on: loop) }.get()
            let answer = EchoAnswer(offer: offer, local: transport.local)
            let echo = Dictionary(uniqueKeysWithValues: answer.sections.compactMap { section in
                section.echoSSRC.map { (section.payloadType, $0) }
            })
            #expect(echo.count == 2)
            let delegate = RecordingDelegate(echo: echo)
            let remote = try #require(RemoteTransportParameters(offer))
            try await loop.submit {
                transport.delegate = delegate
                transport.start(remote: remote)
            }.get()
            try peer.answer(answer.description.serialized())

            _ = try await delegate.events.first("connected") { $0 == .connected }
            let profile = try await loop.submit { transport.srtpProfile }.get()
            #expect(profile == .aeadAES128GCM)  // the edge's first choice among aiortc's offer
            var firstPackets: [UInt8: UInt32] = [:]
            while firstPackets.count < 2 {
                let event = try await delegate.events.first("RTP of both m-sections") {
                    if case .firstRTP = $0 { return true }
                    return false
                }
                if case .firstRTP(let payloadType, let ssrc) = event { firstPackets[payloadType] = ssrc }
            }
            for section in answer.sections {
                #expect(firstPackets[section.payloadType] == section.offeredSSRC,
                        "\(section.kind): payload type \(section.payloadType) from SSRC \(String(describing: section.offeredSSRC))")
            }

            let result = try await peer.result()
            #expect(result.error == nil)
            #expect(result.connectionStates.contains("connected"))
            #expect(result.videoFrames.count >= 15)
            #expect(result.videoFrames.allSatisfy { $0 == [640, 480] })
            #expect(result.audioFrames >= 15)
            // aiortc closes its peer connection when done: DTLS close_notify closes ours.
            let closed = try await delegate.events.first("close") { if case .closed = $0 { return true }; return false }
            #expect(closed == .closed(.closedByPeer))
        }
    }

    /// The fingerprint in the peer's SDP does not match the certificate it presents: the
    /// transport never reports connected, closes with `.fingerprintMismatch`, delivers no RTP.
    @Test func aWrongFingerprintInTheSDPRefusesDTLS() async throws {
        try await withPeer { namespace, server, loop in
            let peer = try AiortcPeer(in: namespace, videoFrames: 1, audioFrames: 1, seconds: 20)
            defer { Task { await peer.terminate() } }
            let offer = try SessionDescription.parse(try await peer.offer())
            let transport = try await loop.submit { server.makeTransport(on: loop) }.get()
            let answer = EchoAnswer(offer: offer, local: transport.local)
            let delegate = RecordingDelegate()
            var wrongRemote = try #require(RemoteTransportParameters(offer))
            wrongRemote.fingerprints = wrongRemote.fingerprints.map { fingerprint in
                var wrong = fingerprint
                wrong.value = String(fingerprint.value.reversed())  // same length, other digest
                return wrong
            }
            let remote = wrongRemote
            try await loop.submit {
                transport.delegate = delegate
                transport.start(remote: remote)
            }.get()
            try peer.answer(answer.description.serialized())

            let event = try await delegate.events.first("close") {
                if case .closed = $0 { return true }
                return $0 == .connected
            }
            #expect(event == .closed(.fingerprintMismatch))
            peer.stop()
            let result = try await peer.result()
            #expect(result.videoFrames.isEmpty)
            #expect(result.audioFrames == 0)
            let (received, closed) = try await loop.submit { (delegate.rtpCount, transport.isClosed) }.get()
            #expect(received == 0)
            #expect(closed)
        }
    }

    /// A namespace, a `MediaServer` on its host-side address (port chosen by the kernel), and
    /// a call loop that is not the socket's, so every datagram hops loops as in production.
    private func withPeer(
        _ body: (NetworkNamespace, MediaServer, any EventLoop) async throws -> Void
    ) async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = try MediaServer(
            configuration: MediaServerConfiguration(host: namespace.hostAddress, port: 0,
                                                    announcedIPs: [namespace.hostAddress]),
            group: group)
        try await server.start()
        var loop = group.next()
        if loop === server.socketEventLoop { loop = group.next() }
        do {
            try await body(namespace, server, loop)
        } catch {
            try? await server.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        try await server.shutdown()
        try await group.shutdownGracefully()
    }
}
