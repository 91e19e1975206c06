import StreamLySFU
import Testing

@Suite("SDP errors: malformed input gives a code, a line and a reason")
struct SDPParseErrorTests {
    private static let valid = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"

    private func error(_ text: String) -> SDPParseError? {
        do {
            _ = try SessionDescription.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("the minimal valid description parses")
    func minimal() throws {
        let parsed = try SessionDescription.parse(Self.valid)
        #expect(parsed.media.map(\.formats) == [["111"]])
    }

    @Test("structure errors", arguments: [
        ("", SDPParseError.Code.badVersion, 0),
        ("o=- 1 1 IN IP4 0.0.0.0\r\n", .badVersion, 1),
        ("v=1\r\n", .badVersion, 1),
        ("v=0\r\nhello\r\n", .badLine, 2),
        ("v=0\r\n=x\r\n", .badLine, 2),
        ("v=0\r\ns=-\r\nt=0 0\r\n", .missingLine, 0),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nt=0 0\r\n", .missingLine, 0),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", .missingLine, 0),
        ("v=0\r\no=- 1 1\r\n", .badField, 2),
        ("v=0\r\nv=0\r\n", .badLine, 2),
        ("v=0\r\ns=-\r\r\n", .badLine, 2),
    ])
    func structure(text: String, code: SDPParseError.Code, line: Int) {
        let failure = error(text)
        #expect(failure?.code == code)
        #expect(failure?.line == line)
        #expect(failure?.reason.isEmpty == false)
    }

    @Test("field and attribute errors point at their line", arguments: [
        "m=audio\r\n", "m=audio 70000 RTP/AVP 0\r\n", "m=video 9 UDP/TLS/RTP/SAVPF 97 96 97\r\n", "m=video 9 UDP/TLS/RTP/SAVPF 99 099\r\n", "m=audio 9/x RTP/AVP 0\r\n", "c=IN IP4\r\n",
        "a=rtpmap:111 opus\r\n", "a=rtpmap:200 opus/48000\r\n", "a=rtpmap:x opus/48000\r\n",
        "a=rtpmap:111 opus/48000/x\r\n", "a=fmtp:111\r\n", "a=rtcp-fb:96\r\n", "a=extmap:0 urn:x\r\n",
        "a=extmap:1/sideways urn:x\r\n", "a=fingerprint:sha-256 XYZ\r\n", "a=setup:both\r\n",
        "a=candidate:1 1 udp 1 10.0.0.1 9 host\r\n", "a=candidate:1 1 udp 1 10.0.0.1 99999 typ host\r\n",
        "a=rid:q both\r\n", "a=simulcast:send\r\n", "a=simulcast:send q;;h\r\n", "a=simulcast:up q\r\n",
        "a=ssrc:x cname:y\r\n", "a=ssrc:1\r\n", "a=ssrc-group:FID 1 x\r\n", "a=mid\r\n", "a=ice-ufrag:\r\n",
    ])
    func badLines(line: String) {
        let failure = error(Self.valid + line)
        #expect(failure != nil, "\(line) should not parse")
        #expect(failure?.line == 6)
        #expect(failure.map { $0.code == .badField || $0.code == .badAttribute } == true)
    }

    @Test("unknown attributes and line types are kept or ignored, not errors")
    func lenient() throws {
        let parsed = try SessionDescription.parse(Self.valid + "a=x-custom:1 2\r\na=flag\r\ni=info\r\nz=x\r\n\r\n")
        #expect(parsed.media[0].attributes == [SDPAttribute(name: "x-custom", value: "1 2"), SDPAttribute(name: "flag")])
    }
}
