import MetricsTestKit
import NIOCore
import NIOPosix
import StreamLySFU
import Testing

// @unchecked: a member's transports and listener are only touched on the call's loop (every
// access below is inside `withCall`).
extension CallTests.Member: @unchecked Sendable {}

/// Two "edges" in one process: two call registries over recording transports, linked by two
/// real relay servers over loopback UDP (hello, keys, SRTP, state, feedback, consent).
@Suite("Relay over loopback: two calls linked by two relay servers", .serialized)
struct RelayLoopbackTests {
    static let secret = "relay-loopback-tests-cluster-secret-0123456789"
    /// Each side hears the other's state once a second; a consent timeout of two of those let a
    /// one-second stall of the test's loop on a loaded CI runner expire the link mid-test (its
    /// tracks dropped and came back under a sub offer nobody answered: "timed out waiting for a
    /// PLI"). Six seconds survives a five-second stall and still ends the test's last step well
    /// inside `eventually`'s 20 s.
    static let consentTimeout = Duration.seconds(6)

    final class TestEdge: Sendable {
        let registry: CallRegistry<RecordingTransport>
        let server: RelayServer
        let relay: CallRelay<RecordingTransport>
        let relayMetrics = TestMetrics()

        init(group: any EventLoopGroup) throws {
            registry = CallRegistry(group: group, limits: CallLimits(), metrics: SFUMetrics(factory: TestMetrics()))
            server = RelayServer(configuration: RelayConfiguration(host: "127.0.0.1", port: 0, consentTimeout: RelayLoopbackTests.consentTimeout),
                                 clusterSecret: RelayLoopbackTests.secret, group: group, metricsFactory: relayMetrics)
            relay = try CallRelay(server: server, registry: registry)
        }

        /// Times this edge's link expired (its peer silent past the consent timeout).
        var expiries: Int64 {
            (try? relayMetrics.expectCounter("streamly_rtc_relay_expired_total").totalValue) ?? 0
        }

        func join(_ member: CallTests.Member) async throws {
            _ = try await registry.withCall("c", create: true) { call in
                try call.join(id: member.id, user: "user-" + member.id, pub: member.pub, sub: member.sub, listener: member.listener)
            }
        }

        func run<T: Sendable>(_ body: @escaping @Sendable (Call<RecordingTransport>) throws -> T) async throws -> T {
            guard let result = try await registry.withCall("c", create: false, body) else { throw RelayError("no call") }
            return result
        }
    }

    func eventually(_ what: String, edges: [TestEdge] = [], _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                let expiries = edges.map { String($0.expiries) }.joined(separator: ", ")
                let message = "timed out waiting for \(what)" + (edges.isEmpty ? "" : " (link expiries per edge: \(expiries))")
                Issue.record("\(message)")
                throw RelayError(message)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func tracksCrossFeedbackComesBackAndASilentPeerIsDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let edgeA = try TestEdge(group: group), edgeB = try TestEdge(group: group)
        try await edgeA.relay.start()
        try await edgeB.relay.start()
        let a = CallTests.Member(id: "a"), b = CallTests.Member(id: "b")
        try await edgeA.join(a)
        try await edgeB.join(b)
        let addressB = try #require(edgeB.server.localAddress)
        #expect(await edgeA.relay.link(call: "c", to: addressB))
        #expect(await edgeA.relay.link(call: "c", to: addressB), "linking twice is harmless")
        #expect(await !edgeA.relay.link(call: "no-such-call", to: addressB))
        try await eventually("the link established", edges: [edgeA, edgeB]) { await edgeA.relay.links(call: "c").first?.established == true }

        // Both publish; each edge sees the other's participant as a remote one with its two tracks.
        let offer = try Fixtures.sdp("aiortc-offer-sendonly")
        _ = try await edgeA.run { try $0.publish("a", offer: offer) }
        _ = try await edgeB.run { try $0.publish("b", offer: offer) }
        try await eventually("a's tracks on B and b's on A", edges: [edgeA, edgeB]) {
            let onB = try await edgeB.run { $0.participant("a")?.producers.count }
            let onA = try await edgeA.run { $0.participant("b")?.producers.count }
            return onB == 2 && onA == 2
        }
        #expect(try await edgeB.run { _ in b.listener.joined } == ["a"])
        #expect(try await edgeB.run { _ in b.listener.tracks.map(\.1) } == [.published, .published])
        // b answers its sub offers until one carries a's video: a's two tracks may have arrived on
        // B one at a time, so the first offer can hold audio only and its answer brings a re-offer.
        var answered = 0
        var subOffer = ""
        try await eventually("b answered a sub offer with a's video", edges: [edgeA, edgeB]) {
            let offers = try await edgeB.run { _ in b.listener.offers }
            if offers.count > answered, let last = offers.last {
                let answer = try CallTests().clientAnswer(to: last)
                try await edgeB.run { try $0.subscribeAnswer("b", answer: answer) }
                answered = offers.count
                subOffer = last
            }
            return try !subOffer.isEmpty && SessionDescription.parse(subOffer).media.contains { $0.kind == "video" }
        }
        var sequence: UInt16 = 100
        try await eventually("a's video at b", edges: [edgeA, edgeB]) {
            sequence &+= 1
            let packet = CallTests().vp8(seq: sequence, ts: UInt32(sequence) * 3000, keyframe: true, pictureID: sequence)
            try await edgeA.run { call in call.publishedRTP(call.participant("a")!, packet) }
            return try await edgeB.run { _ in !b.sub.rtp.isEmpty }
        }
        let forwarded = try await edgeB.run { _ in b.sub.rtpPackets.map(\.payloadType) }
        #expect(Set(forwarded) == [96], "b gets its own payload type")

        // b's keyframe request crosses back to a's publisher as a PLI on a's SSRC.
        let subSSRC = try #require(try SessionDescription.parse(subOffer).media.first { $0.kind == "video" }?.ssrcGroups.first?.ssrcs.first)
        let before = try await edgeA.run { _ in a.pub.rtcpPackets.filter { if case .pictureLossIndication = $0 { true } else { false } }.count }
        try await eventually("a PLI at a's publisher", edges: [edgeA, edgeB]) {
            var buffer = ByteBuffer()
            RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: subSSRC).write(to: &buffer)
            let pli = buffer
            try await edgeB.run { call in call.subscriberRTCP(call.participant("b")!, pli) }
            let now = try await edgeA.run { _ in
                a.pub.rtcpPackets.filter { if case .pictureLossIndication(let p) = $0 { p.mediaSSRC == CallTests.aiortcVideoSSRC } else { false } }.count
            }
            return now > before
        }

        // Until now no link expired: every step above ran on one unbroken session.
        #expect(edgeA.expiries == 0 && edgeB.expiries == 0)

        // B goes silent (its socket closes): after the consent timeout A drops b's tracks and a hears b left.
        await edgeB.relay.shutdown()
        try await eventually("b left on A") {
            try await edgeA.run { call in call.participant("b") == nil && a.listener.left == ["b"] }
        }
        #expect(try await edgeA.run { $0.participant("a") != nil })
        await edgeA.relay.shutdown()
    }
}
