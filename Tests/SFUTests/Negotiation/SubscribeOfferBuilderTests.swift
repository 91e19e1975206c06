import StreamLySFU
import Testing

@Suite("SDP: the SFU's offer on sub, renegotiated as tracks come and go")
struct SubscribeOfferBuilderTests {
    static let vp8 = NegotiatedCodec(payloadType: 97, name: "VP8", clockRate: 90_000, rtxPayloadType: 98)
    static let opus = NegotiatedCodec(payloadType: 96, name: "opus", clockRate: 48_000, channels: 2)

    func slots() -> [SubscribeSlot] {
        var types = SubscribePayloadTypes()
        return [
            SubscribeSlot(mid: "0", kind: "video", track: SubscribedTrack(
                streamID: "participant-1", trackID: "p1-camera", codec: types.map(Self.vp8)!, ssrc: 1_487_939_338,
                rtxSSRC: 1_504_738_337)),
            SubscribeSlot(mid: "1", kind: "audio", track: SubscribedTrack(
                streamID: "participant-1", trackID: "p1-mic", codec: types.map(Self.opus)!, ssrc: 616_353_531, rtxSSRC: nil)),
        ]
    }

    @Test func offerHasWhatAiortcAndChromiumNeed() throws {
        let offer = SubscribeOfferBuilder.offer(slots: slots(), transport: PublishAnswerBuilderTests.transport,
                                                sessionID: "3967462769638042158", version: 2)
        #expect(offer.iceLite)
        #expect(offer.bundleMids == ["0", "1"])
        let video = try #require(offer.media(withMid: "0"))
        #expect(video.direction == .sendonly)
        #expect(video.setup == .actpass)
        #expect(video.formats == ["96", "97"])
        #expect(video.ssrcGroups == [SDPSSRCGroup(semantics: "FID", ssrcs: [1_487_939_338, 1_504_738_337])])
        #expect(video.msids == ["participant-1 p1-camera"])
        #expect(video.formatParameters(for: 97)?.value == "apt=96")
        #expect(video.extmapID(for: SDPExtMap.absSendTimeURI) == 2)
        #expect(video.rtcpFeedback.contains { $0.type == "goog-remb" })
        #expect(video.rtcpFeedback.contains { $0.type == "transport-cc" })
        #expect(video.extmapID(for: SDPExtMap.transportWideCCURI) == 4)
        let audio = try #require(offer.media(withMid: "1"))
        #expect(audio.formats == ["111"])
        #expect(audio.ssrcs.map(\.ssrc) == [616_353_531, 616_353_531])
        #expect(audio.extmapID(for: SDPExtMap.audioLevelURI) == 3)
        #expect(audio.extmapID(for: SDPExtMap.transportWideCCURI) == 4)
        #expect(audio.rtcpFeedback.map(\.type) == ["transport-cc"])
        #expect(try SessionDescription.parse(offer.serialized()) == offer)
    }

    @Test func aGoneTrackLeavesAnInactiveSlotWithItsMid() throws {
        var slots = slots()
        slots[0].track = nil
        let offer = SubscribeOfferBuilder.offer(slots: slots, transport: PublishAnswerBuilderTests.transport,
                                                sessionID: "1", version: 3)
        #expect(offer.media.map(\.mid) == ["0", "1"])
        let video = try #require(offer.media(withMid: "0"))
        #expect(video.direction == .inactive)
        #expect(video.ssrcs.isEmpty)
        #expect(video.msids.isEmpty)
        #expect(offer.bundleMids == ["0", "1"])
    }

    @Test func capturedAnswersToTheExampleOfferAreAccepted() throws {
        let offer = try SessionDescription.parse(try Fixtures.sdp("sfu-example-offer-sub"))
        for name in ["chromium-answer-to-icelite-offer", "aiortc-answer-to-icelite-offer"] {
            let answer = try SessionDescription.parse(try Fixtures.sdp(name))
            #expect(try SubscribeOfferBuilder.checkAnswer(answer, to: offer).isEmpty, "\(name)")
        }
        let wrong = try SessionDescription.parse(try Fixtures.sdp("chromium-answer-recvonly"))
        var shuffled = wrong
        shuffled.media.reverse()
        #expect(throws: NegotiationError.self) { try SubscribeOfferBuilder.checkAnswer(shuffled, to: offer) }
    }

    @Test func payloadTypesAreStablePerConnection() {
        var types = SubscribePayloadTypes()
        let h264a = NegotiatedCodec(payloadType: 108, name: "H264", clockRate: 90_000,
                                    formatParameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                                    rtxPayloadType: 109)
        var h264b = h264a
        h264b.formatParameters = "packetization-mode=1;profile-level-id=42001f"
        #expect(types.map(h264a)?.payloadType == 102)
        #expect(types.map(h264b)?.payloadType == 104)
        #expect(types.map(h264a)?.rtxPayloadType == 103)
        #expect(types.map(Self.opus)?.payloadType == 111)
        #expect(types.map(NegotiatedCodec(payloadType: 9, name: "G722", clockRate: 8000)) == nil)
    }
}

extension SubscribeOfferBuilderTests {
    func slots(_ kinds: String) -> [SubscribeSlot] {
        kinds.enumerated().map { index, kind in SubscribeSlot(mid: String(index), kind: kind == "v" ? "video" : "audio", track: nil) }
    }

    /// aiortc bundles a second new m-section of a kind it has none of onto a transport it then
    /// discards: such sections wait for the next offer.
    @Test func anOfferAddsOneMSectionOfEachKindTheClientHasNoneOf() {
        #expect(SubscribeOfferBuilder.offerableCount(of: slots("vava"), negotiated: 0) == 2)
        #expect(SubscribeOfferBuilder.offerableCount(of: slots("vvaa"), negotiated: 0) == 1)
        #expect(SubscribeOfferBuilder.offerableCount(of: slots("vaav"), negotiated: 1) == 2)
        #expect(SubscribeOfferBuilder.offerableCount(of: slots("vaav"), negotiated: 2) == 4)
        #expect(SubscribeOfferBuilder.offerableCount(of: slots("vvava"), negotiated: 1) == 4)
        #expect(SubscribeOfferBuilder.offerableCount(of: slots("v"), negotiated: 1) == 1)
        #expect(SubscribeOfferBuilder.offerableCount(of: [], negotiated: 0) == 0)
    }
}
