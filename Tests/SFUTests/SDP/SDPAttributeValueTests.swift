import StreamLySFU
import Testing

@Suite("SDP attribute values: forms the samples do not show")
struct SDPAttributeValueTests {
    private func roundTrip<Value: SDPAttributeValue>(_ type: Value.Type, _ text: String) -> Value? {
        guard let value = Value(sdpValue: text[...]) else { return nil }
        #expect(value.sdpValue == text)
        #expect(Value(sdpValue: value.sdpValue[...]) == value)
        return value
    }

    @Test("extmap with direction and extension attributes (RFC 8285 §5)")
    func extmap() {
        let value = roundTrip(SDPExtMap.self, "3/sendonly urn:example:ext attr1 attr2")
        #expect(value?.direction == .sendonly && value?.extensionAttributes == "attr1 attr2")
    }

    @Test("simulcast with alternatives and paused streams, both directions (RFC 8853 §5.1)")
    func simulcast() {
        let value = roundTrip(SDPSimulcast.self, "send q;~h,f recv x")
        #expect(value?.send == [[.init(rid: "q")], [.init(rid: "h", paused: true), .init(rid: "f")]])
        #expect(value?.receive == [[.init(rid: "x")]])
        #expect(SDPSimulcast(sdpValue: "recv a send b")?.sdpValue == "send b recv a")
        #expect(SDPSimulcast(sdpValue: "send a send b") == nil)
    }

    @Test("server-reflexive candidate with raddr/rport, ICE-TCP passive candidate (RFC 8839, RFC 6544)")
    func candidates() {
        let srflx = roundTrip(SDPCandidate.self, "842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665 generation 0")
        #expect(srflx?.type == "srflx" && srflx?.relatedAddress == "10.0.0.2" && srflx?.relatedPort == 61665)
        let tcp = roundTrip(SDPCandidate.self, "2 1 tcp 1518280447 10.198.0.2 10001 typ host tcptype passive")
        #expect(tcp?.tcpType == "passive")
        #expect(SDPCandidate(sdpValue: "1 1 udp 1 10.0.0.1 9 typ host raddr") == nil)
    }

    @Test("rtcp-fb for all formats, rid with restrictions, ssrc without value, fmtp parameters")
    func misc() {
        #expect(roundTrip(SDPRTCPFeedback.self, "* nack")?.payloadType == nil)
        #expect(roundTrip(SDPRid.self, "f send max-width=1280;max-height=720")?.restrictions == "max-width=1280;max-height=720")
        #expect(roundTrip(SDPSSRC.self, "1234 mslabel")?.value == nil)
        #expect(roundTrip(SDPFormatParameters.self, "111 minptime=10; useinbandfec=1;stereo")?.parameters
            == ["minptime": "10", "useinbandfec": "1", "stereo": ""])
        #expect(roundTrip(SDPOrigin.self, "- 1 2 IN IP6 ::1")?.addressType == "IP6")
        #expect(roundTrip(SDPConnection.self, "IN IP4 0.0.0.0")?.address == "0.0.0.0")
        #expect(SDPDirection.recvonly.reversed == .sendonly && SDPDirection.sendrecv.reversed == .sendrecv)
    }
}
