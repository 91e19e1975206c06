import StreamLySFU
import Testing

/// Builds, with the model alone, the ICE-lite answer that Chromium 156 accepted with three
/// simulcast layers (`sfu-example-answer-simulcast.sdp`, SFU-NOTES §2) from the Chromium offer
/// it answered, and compares the text byte for byte. The selection rules here are a sketch of
/// what the call model will do; the point is that the generator writes what Chromium accepted.
@Suite("SDP generation: the SFU answer to Chromium's simulcast offer")
struct SFUAnswerGoldenTests {
    static let keptCodecs: Set<String> = ["vp8", "opus"]
    static let keptExtensions: Set<String> = [SDPExtMap.transportWideCCURI, SDPExtMap.midURI, SDPExtMap.ridURI,
                                              SDPExtMap.repairedRidURI, SDPExtMap.audioLevelURI]
    static let keptFeedback: Set<String> = ["transport-cc", "ccm fir", "nack", "nack pli"]

    static func answer(to offer: SessionDescription) -> SessionDescription {
        var answer = SessionDescription(origin: SDPOrigin(sessionID: "4497528512010851566", sessionVersion: "2"))
        answer.iceLite = true
        answer.groups = offer.groups.filter { $0.semantics == SDPGroup.bundleSemantics }
        answer.extmapAllowMixed = offer.extmapAllowMixed
        answer.attributes = [SDPAttribute(name: "msid-semantic", value: " WMS")]
        answer.media = offer.media.map { section in
            var media = MediaDescription(kind: section.kind, port: 10000, proto: section.proto, formats: [])
            let codecs = section.rtpMaps.filter { Self.keptCodecs.contains($0.encodingName.lowercased()) }
            let repairs = section.formatParameters.filter { fmtp in
                codecs.contains { fmtp.parameters["apt"] == String($0.payloadType) }
            }
            media.formats = section.formats.filter { format in
                codecs.contains { String($0.payloadType) == format } || repairs.contains { String($0.payloadType) == format }
            }
            let kept = Set(media.formats.compactMap(UInt8.init))
            media.rtpMaps = section.rtpMaps.filter { kept.contains($0.payloadType) }
            media.formatParameters = section.formatParameters.filter { kept.contains($0.payloadType) }
            media.rtcpFeedback = section.rtcpFeedback.filter { feedback in
                feedback.payloadType.map(kept.contains) == true
                    && Self.keptFeedback.contains([feedback.type, feedback.parameter].compactMap { $0 }.joined(separator: " "))
            }
            media.connection = SDPConnection(address: "10.198.0.2")
            media.candidates = [SDPCandidate(foundation: "1", priority: 2_130_706_431, address: "10.198.0.2", port: 10000)]
            media.endOfCandidates = true
            media.iceUfrag = "8f1470ff"
            media.icePassword = "fd580b554dd84b9aa6b85b3b"
            media.fingerprints = [SDPFingerprint(hashFunction: "sha-256", value: "84:C8:FE:7A:23:E7:C4:FE:69:58:D5:1C:ED:DB:4E:58:D9:19:E8:BB:49:C5:2A:97:97:A0:CA:27:97:39:66:31")]
            media.setup = .passive
            media.mid = section.mid
            media.extmaps = section.extmaps.filter { Self.keptExtensions.contains($0.uri) }
            media.direction = .recvonly
            media.rtcpMux = true
            media.rtcpReducedSize = section.rtcpReducedSize
            media.rids = section.rids.filter { $0.direction == .send }.map { SDPRid(id: $0.id, direction: .recv) }
            media.simulcast = section.simulcast.map { SDPSimulcast(receive: $0.send) }
            return media
        }
        return answer
    }

    @Test("byte for byte the answer Chromium accepted")
    func golden() throws {
        let offer = try SessionDescription.parse(try Fixtures.sdp("chromium-offer-sendonly-simulcast"))
        let expected = try Fixtures.sdp("sfu-example-answer-simulcast")
        #expect(Self.answer(to: offer).serialized() == expected)
    }
}
