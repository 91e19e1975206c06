import NIOCore
import MetricsTestKit
import NIOEmbedded
import StreamLySFU
import Testing

@Suite("Call: participants, tracks, renegotiation and forwarding (transport double)")
struct CallTests {
    struct Member {
        let id: String
        let pub = RecordingTransport(ufrag: "pub\(Int.random(in: 1000...9999))")
        let sub = RecordingTransport(ufrag: "sub\(Int.random(in: 1000...9999))")
        let listener = RecordingListener()
    }

    static let aiortcVideoSSRC: UInt32 = 521_060_841
    static let aiortcRTXSSRC: UInt32 = 1_431_286_250
    static let aiortcAudioSSRC: UInt32 = 1_153_373_932

    func makeCall(_ loop: EmbeddedEventLoop, limits: CallLimits = CallLimits(),
                  metrics: TestMetrics = TestMetrics()) -> Call<RecordingTransport> {
        Call(channel: "c1", eventLoop: loop, limits: limits, metrics: SFUMetrics(factory: metrics))
    }

    func join(_ call: Call<RecordingTransport>, _ member: Member) throws -> [ParticipantInfo] {
        try call.join(id: member.id, user: "user-" + member.id, pub: member.pub, sub: member.sub, listener: member.listener)
    }

    /// A client's answer to the edge's sub offer: what aiortc/Chromium do (setup active, recvonly).
    func clientAnswer(to offerText: String) throws -> String {
        var answer = try SessionDescription.parse(offerText)
        answer.iceLite = false
        for index in answer.media.indices {
            answer.media[index].setup = .active
            answer.media[index].direction = answer.media[index].direction == .inactive ? .inactive : .recvonly
            answer.media[index].ssrcs = []
            answer.media[index].ssrcGroups = []
            answer.media[index].iceUfrag = "clnt"
            answer.media[index].icePassword = "clientpasswordclientpw"
        }
        return answer.serialized()
    }

    /// A VP8 RTP packet (aiortc's payload type 97), keyframe or not.
    func vp8(ssrc: UInt32 = Self.aiortcVideoSSRC, seq: UInt16, ts: UInt32, keyframe: Bool, pictureID: UInt16) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [0x80, 0x80 | 97])
        buffer.writeInteger(seq)
        buffer.writeInteger(ts)
        buffer.writeInteger(ssrc)
        buffer.writeBytes([0x90, 0x80])
        buffer.writeInteger(0x8000 | pictureID)
        buffer.writeBytes([keyframe ? 0x00 : 0x01, 0x11, 0x22, 0x33])
        return buffer
    }

    func opus(seq: UInt16, level: UInt8) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [0x90, 96])
        buffer.writeInteger(seq)
        buffer.writeInteger(UInt32(seq) * 960)
        buffer.writeInteger(Self.aiortcAudioSSRC)
        // One-byte extensions: id 2 = audio level (aiortc), id 1 = mid "1".
        buffer.writeBytes([0xBE, 0xDE, 0x00, 0x01, 0x20, 0x80 | level, 0x10, 0x31])
        buffer.writeBytes([0xFC, 0xFF, 0xFE])
        return buffer
    }

    @Test func threeParticipantsPublishForwardAndLeave() throws {
        let loop = EmbeddedEventLoop()
        let metrics = TestMetrics()
        let call = makeCall(loop, metrics: metrics)
        let a = Member(id: "a"), b = Member(id: "b"), c = Member(id: "c")
        #expect(try join(call, a).isEmpty)
        #expect(try join(call, b).map(\.id) == ["a"])
        #expect(try join(call, c).map(\.id) == ["a", "b"])
        #expect(a.listener.joined == ["b", "c"])

        let published = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        #expect(published.tracks.map(\.mid) == ["0", "1"])
        #expect(published.tracks.map(\.info.kind) == ["video", "audio"])
        let answer = try SessionDescription.parse(published.sdp)
        #expect(answer.media.map(\.direction) == [.recvonly, .recvonly])
        #expect(a.pub.started != nil)
        #expect(b.listener.tracks.map(\.1) == [.published, .published])
        #expect(c.listener.tracks.count == 2)
        // One offer to b for both tracks.
        #expect(b.listener.offers.count == 1)
        let second = try SessionDescription.parse(try #require(b.listener.offers.last))
        #expect(second.media.map(\.kind) == ["video", "audio"])
        #expect(second.media.map(\.mid) == ["0", "1"])
        try call.subscribeAnswer("b", answer: try clientAnswer(to: b.listener.offers.last!))
        #expect(b.sub.started != nil)
        #expect(throws: CallError.self) { try call.subscribeAnswer("b", answer: try clientAnswer(to: b.listener.offers.last!)) }
        try call.subscribeAnswer("c", answer: try clientAnswer(to: c.listener.offers.last!))
        let videoSSRC = try #require(second.media[0].ssrcGroups.first?.ssrcs.first)
        let rtxSSRC = try #require(second.media[0].ssrcGroups.first?.ssrcs.last)

        // Packets before the keyframe are held back (and a PLI goes upstream); then forwarded rewritten.
        let publisher = try #require(call.participant("a"))
        call.publishedRTP(publisher, vp8(seq: 100, ts: 1000, keyframe: false, pictureID: 50))
        #expect(b.sub.rtp.isEmpty)
        #expect(a.pub.rtcpPackets.contains { if case .pictureLossIndication(let pli) = $0 { pli.mediaSSRC == Self.aiortcVideoSSRC } else { false } })
        call.publishedRTP(publisher, vp8(seq: 101, ts: 4000, keyframe: true, pictureID: 51))
        call.publishedRTP(publisher, vp8(seq: 102, ts: 7000, keyframe: false, pictureID: 52))
        let forwarded = b.sub.rtpPackets
        #expect(forwarded.count == 2)
        #expect(forwarded.map(\.ssrc) == [videoSSRC, videoSSRC])
        #expect(forwarded.map(\.payloadType) == [96, 96])
        #expect(forwarded[1].sequenceNumber == forwarded[0].sequenceNumber &+ 1)
        #expect(c.sub.rtpPackets.count == 2)

        // b NACKs the second packet: it comes back as RTX on b's RTX SSRC with the original number inside.
        var nack = ByteBuffer()
        RTCPGenericNack(senderSSRC: 1, mediaSSRC: videoSSRC, items: RTCPNackItem.items(for: [forwarded[1].sequenceNumber]))
            .write(to: &nack)
        call.subscriberRTCP(try #require(call.participant("b")), nack)
        let rtx = try #require(b.sub.rtpPackets.last)
        #expect(rtx.ssrc == rtxSSRC)
        #expect(rtx.payloadType == 97)
        #expect(rtx.payload.getInteger(at: rtx.payload.readerIndex, as: UInt16.self) == forwarded[1].sequenceNumber)

        // A publisher-leg loss (103 missing) is NACKed upstream on the 40 ms tick.
        call.publishedRTP(publisher, vp8(seq: 104, ts: 10000, keyframe: false, pictureID: 54))
        loop.advanceTime(by: .milliseconds(40))
        #expect(a.pub.rtcpPackets.contains { if case .genericNack(let n) = $0 { n.lostSequenceNumbers == [103] } else { false } })

        // The second's flush: 2 packets to each of b and c (+1 after the loss), one RTX, one NACK
        // upstream, a keyframe request; a latency sample for 1 packet in 8 (none of 6 here).
        loop.advanceTime(by: .seconds(1))
        #expect(try metrics.expectCounter("streamly_rtc_forwarded_packets_total").totalValue == 6)
        #expect(try metrics.expectCounter("streamly_rtc_retransmissions_total").totalValue == 1)
        #expect(try metrics.expectCounter("streamly_rtc_nacks_sent_total").totalValue == 1)
        #expect(try metrics.expectCounter("streamly_rtc_keyframe_requests_total").totalValue >= 1)
        #expect(try metrics.expectMeter("streamly_rtc_participants").lastValue == 3)
        #expect(try metrics.expectMeter("streamly_rtc_calls").lastValue == 1)

        // Mute stops forwarding without renegotiation; the others hear it.
        let videoTrack = try #require(publisher.producers.first { $0.media.kind == "video" }).id
        let offersBefore = b.listener.offers.count
        let sentBefore = b.sub.rtp.count
        try call.setMuted("a", track: videoTrack, muted: true)
        call.publishedRTP(publisher, vp8(seq: 105, ts: 13000, keyframe: true, pictureID: 55))
        #expect(b.sub.rtp.count == sentBefore)
        #expect(b.listener.offers.count == offersBefore)
        #expect(b.listener.tracks.last! == (videoTrack, .muted))

        // a leaves: b and c hear it at once and b gets a re-offer whose slots are inactive.
        call.leave("a")
        #expect(b.listener.left == ["a"])
        #expect(c.listener.left == ["a"])
        #expect(a.pub.closed && a.sub.closed)
        let after = try SessionDescription.parse(try #require(b.listener.offers.last))
        #expect(after.media.map(\.mid) == ["0", "1"])
        #expect(after.media.allSatisfy { $0.direction == .inactive && $0.ssrcs.isEmpty })
        call.leave("b")
        call.leave("c")
        #expect(call.isClosed)
        #expect(try metrics.expectMeter("streamly_rtc_calls").lastValue == 0)
        #expect(try metrics.expectMeter("streamly_rtc_participants").lastValue == 0)
    }

    @Test func aLateJoinersFirstOfferHasOneSectionPerKindTheRestFollow() throws {
        let loop = EmbeddedEventLoop()
        let call = makeCall(loop)
        let a = Member(id: "a"), b = Member(id: "b"), c = Member(id: "c")
        _ = try join(call, a)
        _ = try join(call, b)
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        _ = try call.publish("b", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        _ = try join(call, c)
        let first = try SessionDescription.parse(try #require(c.listener.offers.last))
        #expect(first.media.map(\.kind) == ["video", "audio"])
        try call.subscribeAnswer("c", answer: try clientAnswer(to: c.listener.offers.last!))
        let second = try SessionDescription.parse(try #require(c.listener.offers.last))
        #expect(c.listener.offers.count == 2)
        #expect(second.media.map(\.kind) == ["video", "audio", "video", "audio"])
        #expect(second.media.map(\.mid) == ["0", "1", "2", "3"])
        try call.subscribeAnswer("c", answer: try clientAnswer(to: c.listener.offers.last!))
        #expect(c.listener.offers.count == 2)
    }

    @Test func speakersComeFromAudioLevels() throws {
        let loop = EmbeddedEventLoop()
        let call = makeCall(loop)
        let a = Member(id: "a"), b = Member(id: "b")
        _ = try join(call, a)
        _ = try join(call, b)
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        let publisher = try #require(call.participant("a"))
        for seq in 0..<20 { call.publishedRTP(publisher, opus(seq: UInt16(seq), level: 20)) }
        loop.advanceTime(by: .milliseconds(500))
        let speakers = try #require(b.listener.speakerLists.last)
        #expect(speakers.map(\.participant) == ["a"])
        #expect(speakers[0].level == 0.1)
        call.close()
        // Closed on a draining edge: told to join again elsewhere.
        #expect(b.listener.removedReasons.count == 1 && b.listener.rejoins == [true])
    }

    @Test func limitsAndBadInputAreRefused() throws {
        let loop = EmbeddedEventLoop()
        let call = makeCall(loop, limits: CallLimits(maxParticipants: 1))
        _ = try join(call, Member(id: "a"))
        #expect(throws: CallError(.callFull, "the call has 1 participants")) { try join(call, Member(id: "b")) }
        #expect(throws: CallError.self) { _ = try call.publish("a", offer: "v=0\r\nnot sdp") }
        #expect(throws: CallError.self) { _ = try call.publish("zz", offer: "") }
        #expect(throws: CallError.self) { try call.subscribeAnswer("a", answer: "v=0") }
        #expect(throws: CallError.self) { try call.setMuted("a", track: "t99", muted: true) }
        #expect(throws: CallError.self) { try call.setQuality("a", track: "t99", quality: .low) }
        call.leave("a")
        #expect(call.isClosed)
    }
}
