import NIOCore
import NIOEmbedded
import StreamLySFU
import Testing

/// What reaches a subscriber while its `sub` connection is renegotiated (transport doubles):
/// packets of a track only once the client applied an offer carrying it, and offers a client
/// can bundle (aiortc: one new m-section per kind it has none of yet).
@Suite("Call: sub renegotiation, forwarding only negotiated tracks (transport double)")
struct SubscribeNegotiationTests {
    let helpers = CallTests()

    /// aiortc's offer without its audio m-section (a camera alone).
    func videoOnlyOffer() throws -> String {
        var offer = try SessionDescription.parse(try Fixtures.sdp("aiortc-offer-sendonly"))
        offer.media.removeAll { $0.kind == "audio" }
        offer.groups = [SDPGroup(semantics: SDPGroup.bundleSemantics, mids: ["0"])]
        return offer.serialized()
    }

    /// A call joined by `ids` in order.
    func joinedCall(_ ids: [String]) throws -> (Call<RecordingTransport>, [CallTests.Member]) {
        let call = helpers.makeCall(EmbeddedEventLoop())
        let members = ids.map { CallTests.Member(id: $0) }
        for member in members { _ = try helpers.join(call, member) }
        return (call, members)
    }

    func kinds(_ sdp: String?) throws -> [String] {
        try SessionDescription.parse(try #require(sdp)).media.map(\.kind)
    }

    @Test func aTrackIsForwardedOnlyOnceTheOfferCarryingItIsAnswered() throws {
        let (call, members) = try joinedCall(["a", "b"])
        let b = members[1]
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        let publisher = try #require(call.participant("a"))
        // b has the offer but has not answered: a's keyframe does not reach it.
        #expect(b.listener.offers.count == 1)
        call.publishedRTP(publisher, helpers.vp8(seq: 100, ts: 1000, keyframe: true, pictureID: 1))
        #expect(b.sub.rtp.isEmpty)
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[0]))
        // Answered: forwarding starts with the next keyframe.
        call.publishedRTP(publisher, helpers.vp8(seq: 101, ts: 4000, keyframe: false, pictureID: 2))
        #expect(b.sub.rtp.isEmpty, "no picture starts before a keyframe")
        call.publishedRTP(publisher, helpers.vp8(seq: 102, ts: 7000, keyframe: true, pictureID: 3))
        let offered = try SessionDescription.parse(b.listener.offers[0]).media[0].ssrcGroups.first?.ssrcs.first
        #expect(b.sub.rtpPackets.map(\.ssrc) == [try #require(offered)])
    }

    @Test func aTrackAddedWhileAnOfferWaitsWaitsForTheNextAnswer() throws {
        let (call, members) = try joinedCall(["a", "b", "c"])
        let b = members[1]
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        _ = try call.publish("c", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        // b's first offer (a's tracks) is answered; c's tracks come in the second, not yet answered.
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[0]))
        #expect(b.listener.offers.count == 2)
        let key = helpers.vp8(seq: 100, ts: 1000, keyframe: true, pictureID: 1)
        call.publishedRTP(try #require(call.participant("a")), key)
        call.publishedRTP(try #require(call.participant("c")), key)
        let first = try SessionDescription.parse(b.listener.offers[0])
        let aVideo = try #require(first.media[0].ssrcGroups.first?.ssrcs.first)
        #expect(b.sub.rtpPackets.map(\.ssrc) == [aVideo])
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[1]))
        call.publishedRTP(try #require(call.participant("c")), helpers.vp8(seq: 101, ts: 4000, keyframe: true, pictureID: 2))
        #expect(b.sub.rtpPackets.count == 2)
        #expect(b.sub.rtpPackets.last?.ssrc != aVideo)
    }

    @Test func aFreedSlotIsReusedWithItsSSRCAndItsNewTrackWaitsForItsOwnOffer() throws {
        let (call, members) = try joinedCall(["a", "b", "d"])
        let b = members[1]
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[0]))
        let first = try SessionDescription.parse(b.listener.offers[0]).media[0]
        // a leaves (b's re-offer, unanswered, has the slots inactive), d publishes into them.
        call.leave("a")
        _ = try call.publish("d", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[1]))
        #expect(b.listener.offers.count == 3)
        let reused = try SessionDescription.parse(b.listener.offers[2]).media[0]
        #expect(reused.mid == first.mid && reused.msids != first.msids)
        #expect(reused.ssrcGroups == first.ssrcGroups, "aiortc routes a started receiver by its first SSRCs only")
        let publisher = try #require(call.participant("d"))
        call.publishedRTP(publisher, helpers.vp8(seq: 100, ts: 1000, keyframe: true, pictureID: 1))
        #expect(b.sub.rtp.isEmpty, "the offer naming d's track in that slot is not answered yet")
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[2]))
        call.publishedRTP(publisher, helpers.vp8(seq: 101, ts: 4000, keyframe: true, pictureID: 2))
        #expect(b.sub.rtpPackets.map(\.ssrc) == [try #require(first.ssrcGroups.first?.ssrcs.first)])
    }

    /// a publishes and b receives `aSends`; a leaves, d publishes, its video takes a's slot at b
    /// (b answers both offers) and d sends its first keyframe.
    func slotHandedOver(aSends: [ByteBuffer]) throws -> (Call<RecordingTransport>, CallTests.Member) {
        let (call, members) = try joinedCall(["a", "b", "d"])
        let b = members[1]
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[0]))
        let a = try #require(call.participant("a"))
        for packet in aSends { call.publishedRTP(a, packet) }
        call.leave("a")
        _ = try call.publish("d", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[1]))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[2]))
        call.publishedRTP(try #require(call.participant("d")), helpers.vp8(seq: 7, ts: 1000, keyframe: true, pictureID: 3))
        return (call, b)
    }

    @Test func aTrackReusingASlotContinuesItsSequenceNumbersTimestampsAndPictureIDs() throws {
        // d's stream starts far behind a's in every number: Chromium would drop its frames as
        // older than those decoded (same SSRC, same receiver) had the numbering started over.
        let (_, b) = try slotHandedOver(aSends: [helpers.vp8(seq: 40_000, ts: 3_000_000, keyframe: true, pictureID: 20_000)])
        let packets = b.sub.rtpPackets
        try #require(packets.count == 2)
        #expect(packets[1].ssrc == packets[0].ssrc)
        #expect(packets[1].sequenceNumber == 40_001)
        #expect(rtpTimestamp(packets[1].timestamp, isNewerThan: 3_000_000))
        let pictureIDs = try packets.map { try #require(VP8PayloadDescriptor.parse($0.payload)?.pictureID) }
        #expect(pictureIDs == [20_000, 20_001])
    }

    /// A packet of a's lost before this edge and never recovered (a left, its publisher gone)
    /// leaves a hole in the slot's numbering: d's track fills it with padding before its first
    /// packet, or aiortc's jitter buffer would wait on it for 512 packets (about 17 s).
    @Test func aTrackReusingASlotFillsTheNumbersThePreviousTrackLeftUnsent() throws {
        // 40_001 and 40_002 never arrive.
        let (call, b) = try slotHandedOver(aSends: [
            helpers.vp8(seq: 40_000, ts: 3_000_000, keyframe: true, pictureID: 20_000),
            helpers.vp8(seq: 40_003, ts: 3_003_000, keyframe: false, pictureID: 20_001),
        ])
        let packets = b.sub.rtpPackets
        #expect(packets.map(\.sequenceNumber) == [40_000, 40_003, 40_001, 40_002, 40_004])
        #expect(Set(packets.map(\.ssrc)).count == 1)
        let fills = packets[2...3]
        #expect(fills.allSatisfy { $0.hasPadding && $0.payload.readableBytes == 0 && $0.timestamp == packets[1].timestamp })
        #expect(fills.allSatisfy { $0.payloadType == packets[4].payloadType })
        // a's last packet and a fill are still resent (as RTX) when b NACKs them.
        var nack = ByteBuffer()
        RTCPGenericNack(senderSSRC: 1, mediaSSRC: packets[0].ssrc, items: RTCPNackItem.items(for: [40_003, 40_001]))
            .write(to: &nack)
        call.subscriberRTCP(try #require(call.participant("b")), nack)
        let resent = b.sub.rtpPackets.suffix(2)
        #expect(resent.allSatisfy { $0.ssrc != packets[0].ssrc })
        #expect(resent.map { $0.payload.getInteger(at: $0.payload.readerIndex, as: UInt16.self) } == [40_003, 40_001])
        #expect(resent.last?.payload.readableBytes == 2)  // the fill: its original number only
        // Only once: d's next packets are its own.
        call.publishedRTP(try #require(call.participant("d")), helpers.vp8(seq: 8, ts: 4000, keyframe: false, pictureID: 4))
        #expect(b.sub.rtpPackets.last?.sequenceNumber == 40_005)
    }

    @Test func aReOfferBringsOneMSectionOfAKindTheClientHasNoneOf() throws {
        let (call, members) = try joinedCall(["a", "b", "c", "d"])
        let b = members[1]
        // b's first offer holds a's camera alone; c and d publish camera and microphone before b answers.
        _ = try call.publish("a", offer: try videoOnlyOffer())
        #expect(try kinds(b.listener.offers.last) == ["video"])
        _ = try call.publish("c", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        _ = try call.publish("d", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[0]))
        // The re-offer may add videos (b has a bundled video transceiver) but one audio only.
        #expect(try kinds(b.listener.offers.last) == ["video", "video", "audio", "video"])
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[1]))
        #expect(try kinds(b.listener.offers.last) == ["video", "video", "audio", "video", "audio"])
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: b.listener.offers[2]))
        #expect(b.listener.offers.count == 3)
    }
}
