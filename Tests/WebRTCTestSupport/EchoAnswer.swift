import StreamLySFU

/// A minimal ICE-lite answer for transport tests (the call model builds the real ones): per
/// offered m-section, the offer's VP8 or Opus payload type only, the transport's ICE
/// credentials, fingerprint, candidates and `a=setup:passive`, BUNDLE, rtcp-mux, the mid
/// extension, and, for `sendrecv` offers, `sendrecv` with one SSRC the test echoes media on.
public struct EchoAnswer: Sendable {
    public struct Section: Sendable {
        public var mid: String
        public var kind: String
        public var payloadType: UInt8
        /// The SSRC the offerer sends with (its first `a=ssrc`), if declared.
        public var offeredSSRC: UInt32?
        /// The SSRC the edge sends with in this section, if it sends.
        public var echoSSRC: UInt32?
    }

    public var description: SessionDescription
    public var sections: [Section]

    public init(offer: SessionDescription, local: LocalTransportParameters) {
        var answer = SessionDescription(origin: SDPOrigin(sessionID: "1", sessionVersion: "1"))
        answer.iceLite = true
        var sections: [Section] = []
        for (index, offered) in offer.media.enumerated() {
            let wanted = offered.kind == "video" ? "vp8" : "opus"
            let mid = offered.mid ?? "\(index)"
            guard let rtpMap = offered.rtpMaps.first(where: { $0.encodingName.lowercased() == wanted }) else {
                var rejected = MediaDescription(kind: offered.kind, port: 0, proto: offered.proto, formats: offered.formats)
                rejected.mid = mid
                answer.media.append(rejected)
                continue
            }
            let udp = local.candidates.first { $0.transport == "udp" }
            var section = MediaDescription(kind: offered.kind, port: udp?.port ?? 9, proto: offered.proto,
                                           formats: ["\(rtpMap.payloadType)"])
            section.connection = SDPConnection(address: udp?.address ?? "0.0.0.0")
            section.candidates = local.candidates
            section.endOfCandidates = true
            section.iceUfrag = local.ice.ufrag
            section.icePassword = local.ice.password
            section.fingerprints = local.fingerprints
            section.setup = .passive
            section.mid = mid
            section.rtcpMux = true
            section.rtpMaps = [rtpMap]
            section.formatParameters = offered.formatParameters.filter { $0.payloadType == rtpMap.payloadType }
            if offered.kind == "video" {
                section.rtcpFeedback = [SDPRTCPFeedback(payloadType: rtpMap.payloadType, type: "nack"),
                                        SDPRTCPFeedback(payloadType: rtpMap.payloadType, type: "nack", parameter: "pli")]
            }
            section.extmaps = offered.extmaps.filter { $0.uri == "urn:ietf:params:rtp-hdrext:sdes:mid" }
            var echoSSRC: UInt32?
            if offered.direction == .sendrecv {
                let ssrc = UInt32(0x5EED_0000) + UInt32(index)
                echoSSRC = ssrc
                section.direction = .sendrecv
                section.ssrcs = [SDPSSRC(ssrc: ssrc, attribute: "cname", value: "streamly-echo")]
            } else {
                section.direction = .recvonly
            }
            answer.media.append(section)
            sections.append(Section(mid: mid, kind: offered.kind, payloadType: rtpMap.payloadType,
                                    offeredSSRC: offered.ssrcs.first?.ssrc, echoSSRC: echoSSRC))
        }
        answer.groups = [SDPGroup(semantics: SDPGroup.bundleSemantics, mids: sections.map(\.mid))]
        self.description = answer
        self.sections = sections
    }
}
