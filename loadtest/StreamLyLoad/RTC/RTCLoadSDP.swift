import NIOCore
import StreamLySFU

/// The SDP a synthetic participant of `streamly-load rtc` sends and reads: the publish offer
/// Chromium would make for one microphone and one simulcast camera (Opus, VP8 with three rids,
/// BUNDLE, rtcp-mux, the mid/rid/audio-level extensions with the ids `RTCLoadStream` writes),
/// and answers to the server's subscribe offers (every offered m-section received with its
/// first codec, `a=setup:active`). Both carry our one host candidate (Janus's ICE-lite agent
/// pairs only with candidates it was given).
enum RTCLoadSDP {
    /// Header extension ids of the publish offer (what `RTCLoadStream` writes).
    static let midID: UInt8 = 1
    static let ridID: UInt8 = 2
    static let audioLevelID: UInt8 = 4
    static let opusPayloadType: UInt8 = 111
    static let vp8PayloadType: UInt8 = 96
    /// The simulcast rids, lowest first (Chromium's names).
    static let rids = ["q", "h", "f"]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The remote side of a transport, read from its SDP.
    struct Remote {
        var ice: IceCredentials
        var fingerprints: [SDPFingerprint]
        var setup: SDPSetupRole?
        /// The first IPv4 UDP host candidate.
        var address: SocketAddress
    }

    /// The offer on `pub`: m=audio (mid 0) and m=video with `a=simulcast:send q;h;f` (mid 1).
    static func publishOffer(ice: IceCredentials, fingerprint: String, audioSSRC: UInt32, sessionID: UInt64,
                             candidate: SocketAddress) -> String {
        let host = candidate.ipAddress ?? "0.0.0.0"
        let port = candidate.port ?? 9
        let transport = """
            c=IN IP4 \(host)
            a=rtcp:\(port) IN IP4 \(host)
            a=candidate:1 1 udp 2130706431 \(host) \(port) typ host
            a=end-of-candidates
            a=ice-ufrag:\(ice.ufrag)
            a=ice-pwd:\(ice.password)
            a=fingerprint:sha-256 \(fingerprint)
            a=setup:actpass
            """
        let lines = """
            v=0
            o=- \(sessionID) 2 IN IP4 127.0.0.1
            s=-
            t=0 0
            a=group:BUNDLE 0 1
            a=extmap-allow-mixed
            a=msid-semantic: WMS load
            m=audio \(port) UDP/TLS/RTP/SAVPF \(opusPayloadType)
            \(transport)
            a=mid:0
            a=extmap:\(midID) urn:ietf:params:rtp-hdrext:sdes:mid
            a=extmap:\(audioLevelID) urn:ietf:params:rtp-hdrext:ssrc-audio-level
            a=sendonly
            a=msid:load microphone
            a=rtcp-mux
            a=rtpmap:\(opusPayloadType) opus/48000/2
            a=fmtp:\(opusPayloadType) minptime=10;useinbandfec=1
            a=ssrc:\(audioSSRC) cname:load
            m=video \(port) UDP/TLS/RTP/SAVPF \(vp8PayloadType)
            \(transport)
            a=mid:1
            a=extmap:\(midID) urn:ietf:params:rtp-hdrext:sdes:mid
            a=extmap:\(ridID) urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
            a=sendonly
            a=msid:load camera
            a=rtcp-mux
            a=rtcp-rsize
            a=rtpmap:\(vp8PayloadType) VP8/90000
            a=rtcp-fb:\(vp8PayloadType) goog-remb
            a=rtcp-fb:\(vp8PayloadType) ccm fir
            a=rtcp-fb:\(vp8PayloadType) nack
            a=rtcp-fb:\(vp8PayloadType) nack pli
            \(rids.map { "a=rid:\($0) send" }.joined(separator: "\n"))
            a=simulcast:send \(rids.joined(separator: ";"))

            """
        return lines.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }

    /// Our answer to a server's offer: each m-section with its first format, the direction
    /// reversed, our ICE credentials and fingerprint, `a=setup:active` (we are the DTLS client).
    static func answer(to offer: SessionDescription, ice: IceCredentials, fingerprint: String, sessionID: UInt64,
                       candidate: SocketAddress) -> String {
        let host = candidate.ipAddress ?? "0.0.0.0"
        let port = UInt16(candidate.port ?? 9)
        var answer = offer
        answer.origin = SDPOrigin(sessionID: String(sessionID), sessionVersion: "2")
        answer.iceLite = false
        answer.iceUfrag = nil
        answer.icePassword = nil
        answer.fingerprints = []
        answer.setup = nil
        answer.media = offer.media.map { section in
            var media = section
            media.candidates = [SDPCandidate(foundation: "1", priority: 2_130_706_431, address: host, port: port)]
            media.endOfCandidates = true
            media.connection = SDPConnection(addressType: "IP4", address: host)
            media.port = section.port == 0 ? 0 : port
            media.iceUfrag = ice.ufrag
            media.icePassword = ice.password
            media.fingerprints = [SDPFingerprint(hashFunction: "sha-256", value: fingerprint)]
            media.setup = .active
            media.direction = (section.direction ?? .sendrecv) == .inactive ? .inactive : .recvonly
            media.msids = []
            media.ssrcs = []
            media.ssrcGroups = []
            media.rids = []
            media.simulcast = nil
            if let first = section.formats.first, let payloadType = UInt8(first) {
                media.formats = [first]
                media.rtpMaps = section.rtpMaps.filter { $0.payloadType == payloadType }
                media.formatParameters = section.formatParameters.filter { $0.payloadType == payloadType }
                media.rtcpFeedback = section.rtcpFeedback.filter { $0.payloadType == payloadType }
            }
            return media
        }
        return answer.serialized()
    }

    /// ICE credentials, fingerprints, setup role and candidate of `sdp`'s first bundled section.
    static func remote(of sdp: SessionDescription) throws -> Remote {
        guard let section = sdp.media.first(where: { $0.port != 0 }) ?? sdp.media.first,
              let credentials = sdp.iceCredentials(of: section)
        else { throw Failure(description: "the server's SDP has no ICE credentials") }
        let candidates = sdp.media.flatMap(\.candidates)
        guard let candidate = candidates.first(where: {
            $0.transport.lowercased() == "udp" && !$0.address.contains(":") && !$0.address.hasSuffix(".local")
        }) else {
            throw Failure(description: "the server's SDP has no IPv4 UDP candidate (\(candidates.map(\.sdpValue)))")
        }
        return Remote(ice: IceCredentials(ufrag: credentials.ufrag, password: credentials.password),
                      fingerprints: sdp.fingerprints(of: section), setup: section.setup ?? sdp.setup,
                      address: try SocketAddress(ipAddress: candidate.address, port: Int(candidate.port)))
    }
}
