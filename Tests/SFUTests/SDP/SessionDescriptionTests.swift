import StreamLySFU
import Testing

@Suite("SDP parse and generate (RFC 8866) on the captured samples")
struct SessionDescriptionTests {
    @Test("every sample parses, and parsing its serialization gives the same model", arguments: Fixtures.sdpNames)
    func roundTrip(name: String) throws {
        let text = try Fixtures.sdp(name)
        let parsed = try SessionDescription.parse(text)
        let serialized = parsed.serialized()
        #expect(try SessionDescription.parse(serialized) == parsed)
        #expect(try SessionDescription.parse(serialized).serialized() == serialized)
    }

    @Test("every sample line survives: the same lines come out, in the browser's grouping", arguments: Fixtures.sdpNames)
    func sameLines(name: String) throws {
        let text = try Fixtures.sdp(name)
        func lines(_ text: String) -> [String] {
            text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).sorted()
        }
        #expect(lines(try SessionDescription.parse(text).serialized()) == lines(text))
    }

    @Test("Chromium simulcast offer: bundle, transport, codecs, extmaps, rids")
    func chromiumSimulcast() throws {
        let offer = try SessionDescription.parse(try Fixtures.sdp("chromium-offer-sendonly-simulcast"))
        #expect(offer.bundleMids == ["0", "1"])
        #expect(offer.extmapAllowMixed && !offer.iceLite)
        #expect(offer.media.count == 2)
        let video = offer.media[0]
        #expect(video.kind == "video" && video.mid == "0" && video.direction == .sendonly)
        #expect(video.proto == "UDP/TLS/RTP/SAVPF")
        #expect(video.rtcpMux && video.rtcpReducedSize)
        #expect(video.setup == .actpass)
        #expect(video.fingerprints.count == 1 && video.fingerprints[0].hashFunction == "sha-256")
        #expect(video.fingerprints[0].bytes.count == 32)
        #expect(offer.iceCredentials(of: video)?.ufrag == "xxIs")
        #expect(video.candidates.count == 2)
        #expect(video.candidates[1].transport == "tcp" && video.candidates[1].tcpType == "active")
        #expect(video.candidates[0].extensions.map(\.name) == ["generation", "network-id"])
        #expect(video.rtpMap(for: 96) == SDPRTPMap(payloadType: 96, encodingName: "VP8", clockRate: 90000))
        #expect(video.formatParameters(for: 97)?.parameters == ["apt": "96"])
        #expect(video.formatParameters(for: 108)?.parameters["profile-level-id"] == "42e01f")
        #expect(video.rtcpFeedback(for: 96).map(\.type) == ["goog-remb", "transport-cc", "ccm", "nack", "nack"])
        #expect(video.extmapID(for: SDPExtMap.midURI) == 9)
        #expect(video.extmapID(for: SDPExtMap.ridURI) == 10)
        #expect(video.rids.map(\.id) == ["q", "h", "f"] && video.rids.allSatisfy { $0.direction == .send })
        #expect(video.simulcast?.send.map { $0.map(\.rid) } == [["q"], ["h"], ["f"]])
        #expect(video.ssrcs.isEmpty)
        let audio = offer.media[1]
        #expect(audio.extmapID(for: SDPExtMap.audioLevelURI) == 12)
        #expect(audio.rtpMap(for: 111)?.channels == 2)
        #expect(audio.formatParameters(for: 111)?.value == "minptime=10;useinbandfec=1")
        #expect(audio.ssrcs.map(\.attribute) == ["cname", "msid"])
    }

    @Test("aiortc offer: three fingerprints, FID group, end-of-candidates, LF line ends")
    func aiortcOffer() throws {
        let offer = try SessionDescription.parse(try Fixtures.sdp("aiortc-offer-sendonly"))
        let video = offer.media[0]
        #expect(video.fingerprints.map(\.hashFunction) == ["sha-256", "sha-384", "sha-512"])
        #expect(video.ssrcGroups == [SDPSSRCGroup(semantics: "FID", ssrcs: [521_060_841, 1_431_286_250])])
        #expect(video.endOfCandidates)
        #expect(video.candidates.first?.address == "10.198.0.1")
        #expect(offer.attributes == [SDPAttribute(name: "msid-semantic", value: "WMS *")])
        #expect(try SessionDescription.parse(try Fixtures.sdp("aiortc-offer-addtrack")).media[0].direction == .sendrecv)
    }

    @Test("the hand-built SFU answer: ice-lite, passive, recvonly, rid recv, simulcast recv")
    func sfuAnswer() throws {
        let answer = try SessionDescription.parse(try Fixtures.sdp("sfu-example-answer-simulcast"))
        #expect(answer.iceLite)
        #expect(answer.media.allSatisfy { $0.setup == .passive && $0.direction == .recvonly && $0.endOfCandidates })
        #expect(answer.media[0].simulcast == SDPSimulcast(receive: [[.init(rid: "q")], [.init(rid: "h")], [.init(rid: "f")]]))
        #expect(answer.media[0].rids.allSatisfy { $0.direction == .recv })
    }

    @Test("an answer built from the model parses back equal")
    func generatedAnswer() throws {
        var answer = SessionDescription(origin: SDPOrigin(sessionID: "1", sessionVersion: "2"))
        answer.iceLite = true
        answer.groups = [SDPGroup(semantics: "BUNDLE", mids: ["0"])]
        var video = MediaDescription(kind: "video", port: 10000, formats: ["96", "97"])
        video.connection = SDPConnection(address: "10.198.0.2")
        video.candidates = [SDPCandidate(foundation: "1", priority: 2_130_706_431, address: "10.198.0.2", port: 10000)]
        video.endOfCandidates = true
        video.iceUfrag = "8f1470ff"
        video.icePassword = "fd580b554dd84b9aa6b85b3b"
        video.fingerprints = [SDPFingerprint(hashFunction: "SHA-256", value: "AB:CD")]
        video.setup = .passive
        video.mid = "0"
        video.direction = SDPDirection.sendonly.reversed
        video.rtcpMux = true
        video.rtpMaps = [SDPRTPMap(payloadType: 96, encodingName: "VP8", clockRate: 90000),
                         SDPRTPMap(payloadType: 97, encodingName: "rtx", clockRate: 90000)]
        video.formatParameters = [SDPFormatParameters(payloadType: 97, value: "apt=96")]
        video.rtcpFeedback = [SDPRTCPFeedback(payloadType: 96, type: "nack", parameter: "pli")]
        video.simulcast = SDPSimulcast(receive: [[.init(rid: "q")], [.init(rid: "h", paused: true)]])
        answer.media = [video]
        let text = answer.serialized()
        #expect(text.hasPrefix("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE 0\r\n"))
        #expect(text.contains("a=candidate:1 1 udp 2130706431 10.198.0.2 10000 typ host\r\n"))
        #expect(text.contains("a=fingerprint:sha-256 AB:CD\r\n"))
        #expect(text.contains("a=recvonly\r\n"))
        #expect(text.contains("a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"))
        #expect(text.contains("a=simulcast:recv q;~h\r\n"))
        #expect(try SessionDescription.parse(text) == answer)
    }
}
