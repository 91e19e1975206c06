import StreamLySFU
import Testing

@Suite("SDP: the SFU's answer on pub, against captured offers")
struct PublishAnswerBuilderTests {
    static let transport = TransportDescription(
        iceUfrag: "8f1470ff", icePassword: "fd580b554dd84b9aa6b85b3b",
        fingerprints: [SDPFingerprint(hashFunction: "sha-256", value: "84:C8:FE:7A:23:E7:C4:FE:69:58:D5:1C:ED:DB:4E:58:D9:19:E8:BB:49:C5:2A:97:97:A0:CA:27:97:39:66:31")],
        candidates: [SDPCandidate(foundation: "1", priority: 2_130_706_431, address: "10.198.0.2", port: 10000)])

    func answer(_ fixture: String, maxTracks: Int = 8) throws -> PublishAnswer {
        let offer = try SessionDescription.parse(try Fixtures.sdp(fixture))
        return try PublishAnswerBuilder.answer(to: offer, transport: Self.transport, sessionID: "1", version: 2,
                                               maxTracks: maxTracks)
    }

    @Test func chromiumSimulcastOfferGetsRidsAndOneCodec() throws {
        let result = try answer("chromium-offer-sendonly-simulcast")
        let sdp = result.sdp
        #expect(sdp.iceLite)
        #expect(sdp.bundleMids == ["0", "1"])
        let video = try #require(sdp.media(withMid: "0"))
        #expect(video.formats == ["96", "97"])
        #expect(video.direction == .recvonly)
        #expect(video.setup == .passive)
        #expect(video.port == 10000)
        #expect(video.rids.map(\.id) == ["q", "h", "f"])
        #expect(video.rids.allSatisfy { $0.direction == .recv })
        #expect(video.simulcast?.receive.map { $0.map(\.rid) } == [["q"], ["h"], ["f"]])
        #expect(Set(video.extmaps.map(\.uri)) == [SDPExtMap.absSendTimeURI, SDPExtMap.midURI, SDPExtMap.ridURI,
                                                  SDPExtMap.repairedRidURI, SDPExtMap.transportWideCCURI])
        // Offer ids kept; transport-cc negotiated (the edge sends its feedback).
        #expect(video.extmapID(for: SDPExtMap.ridURI) == 10)
        #expect(video.extmapID(for: SDPExtMap.transportWideCCURI) == 4)
        #expect(video.rtcpFeedback.contains { $0.type == "transport-cc" })
        #expect(result.media[0].extensionIDs.transportWideCC == 4)
        #expect(video.rtcpFeedback.contains { $0.type == "nack" && $0.parameter == "pli" })
        #expect(video.formatParameters(for: 97)?.value == "apt=96")
        let audio = try #require(sdp.media(withMid: "1"))
        #expect(audio.formats == ["111"])
        #expect(audio.formatParameters(for: 111)?.value == "minptime=10;useinbandfec=1")
        #expect(audio.extmapID(for: SDPExtMap.audioLevelURI) == 12)
        #expect(audio.rtcpFeedback.map(\.type) == ["transport-cc"])
        #expect(result.media.map(\.kind) == ["video", "audio"])
        #expect(result.media[0].rids == ["q", "h", "f"])
        #expect(result.media[0].isSimulcast)
        #expect(result.media[0].extensionIDs.rid == 10)
        #expect(result.media[1].extensionIDs.audioLevel == 12)
        #expect(result.media[1].ssrcs.count == 1)
        // What the SFU writes parses back to the same model.
        #expect(try SessionDescription.parse(sdp.serialized()) == sdp)
    }

    @Test func aiortcOfferKeepsItsPayloadTypesAndSSRCs() throws {
        let result = try answer("aiortc-offer-sendonly")
        let video = result.media[0]
        #expect(video.codec.payloadType == 97)
        #expect(video.codec.rtxPayloadType == 98)
        #expect(video.ssrcs == [521_060_841])
        #expect(video.rtxSSRCs == [521_060_841: 1_431_286_250])
        let audio = result.media[1]
        #expect(audio.codec.name.lowercased() == "opus")
        #expect(audio.codec.payloadType == 96)
        #expect(result.sdp.media(withMid: "1")?.formats == ["96"])
        #expect(result.rejectedMids.isEmpty)
    }

    @Test func sendrecvOfferIsAnsweredRecvonly() throws {
        let result = try answer("aiortc-offer-addtrack")
        #expect(result.sdp.media.allSatisfy { $0.direction == .recvonly })
    }

    @Test func plainChromiumOfferPrefersVP8AndDropsTheRest() throws {
        let result = try answer("chromium-offer-sendonly-plain")
        #expect(result.media[0].codec.name == "VP8")
        #expect(result.media[0].rids.isEmpty)
        let video = try #require(result.sdp.media(withMid: "0"))
        #expect(!video.rtpMaps.contains { ["AV1", "VP9", "red", "ulpfec", "H264"].contains($0.encodingName) })
    }

    @Test func unsupportedCodecsAreRejectedWithPortZero() throws {
        var text = try Fixtures.sdp("aiortc-offer-sendonly")
        // Only G.722 and PCMU/PCMA left for audio.
        text = text.replacingOccurrences(of: "m=audio 60499 UDP/TLS/RTP/SAVPF 96 9 0 8", with: "m=audio 60499 UDP/TLS/RTP/SAVPF 9 0 8")
        let offer = try SessionDescription.parse(text)
        let result = try PublishAnswerBuilder.answer(to: offer, transport: Self.transport, sessionID: "1", version: 1, maxTracks: 8)
        #expect(result.rejectedMids == ["1"])
        let audio = try #require(result.sdp.media(withMid: "1"))
        #expect(audio.port == 0)
        #expect(audio.direction == .inactive)
        #expect(result.sdp.bundleMids == ["0"])
    }

    /// Chromium (max-bundle) offering video in VP9/AV1 only: the video m-section is the BUNDLE
    /// tag, so it stays bundled, `inactive`, with no track, and audio is answered (a port-0 tag
    /// makes Chromium 156 fail "Failed to setup RTCP mux"; seen in `ChromiumCallTests`).
    @Test func anUnsupportedBundleTagStaysBundledAndInactive() throws {
        var text = try Fixtures.sdp("chromium-offer-sendonly-plain")
        text = text.replacingOccurrences(
            of: "m=video 57997 UDP/TLS/RTP/SAVPF 96 97 102 103 104 107 108 109 114 115 116 117 39 40 45 46 98 99 100 101 118 119 120",
            with: "m=video 57997 UDP/TLS/RTP/SAVPF 98 99 45 46")
        let offer = try SessionDescription.parse(text)
        let result = try PublishAnswerBuilder.answer(to: offer, transport: Self.transport, sessionID: "1", version: 1, maxTracks: 8)
        #expect(result.media.map(\.kind) == ["audio"])
        #expect(result.rejectedMids == ["0"])
        let video = try #require(result.sdp.media(withMid: "0"))
        #expect(video.port != 0)
        #expect(video.direction == .inactive)
        #expect(video.formats == ["98"])
        #expect(video.rtpMaps.map(\.encodingName) == ["VP9"])
        #expect(video.rtcpMux && video.fingerprints == Self.transport.fingerprints)
        #expect(result.sdp.bundleMids == ["0", "1"])
        // A rejected m-section that is not the tag still gets port 0 (unsupportedCodecsAreRejectedWithPortZero).
    }

    @Test func theTrackLimitRejectsTheRest() throws {
        let result = try answer("aiortc-offer-sendonly", maxTracks: 1)
        #expect(result.media.count == 1)
        #expect(result.rejectedMids == ["1"])
    }

    @Test func offersTheSFUCannotServeAreErrors() throws {
        let text = try Fixtures.sdp("aiortc-offer-sendonly")
        func error(_ edit: (String) -> String) -> NegotiationError? {
            do {
                let offer = try SessionDescription.parse(edit(text))
                _ = try PublishAnswerBuilder.answer(to: offer, transport: Self.transport, sessionID: "1", version: 1, maxTracks: 8)
                return nil
            } catch let error as NegotiationError {
                return error
            } catch {
                return NegotiationError(.malformed, "\(error)")
            }
        }
        func without(_ prefix: String) -> (String) -> String {
            { text in text.components(separatedBy: "\r\n").filter { !$0.hasPrefix(prefix) }.joined(separator: "\r\n") }
        }
        #expect(error { $0 }?.code == nil)
        #expect(error(without("a=rtcp-mux"))?.code == .incomplete)
        #expect(error(without("a=group:BUNDLE"))?.code == .incomplete)
        #expect(error(without("a=fingerprint"))?.code == .incomplete)
        #expect(error(without("a=ice-pwd"))?.code == .incomplete)
        #expect(error(without("a=mid"))?.code == .incomplete)
        #expect(error { $0.replacingOccurrences(of: "a=setup:actpass", with: "a=setup:passive") }?.code == .incomplete)
        #expect(error { $0.replacingOccurrences(of: "a=sendonly", with: "a=recvonly") }?.code == .noUsableMedia)
    }
}
