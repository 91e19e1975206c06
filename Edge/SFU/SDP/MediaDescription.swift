/// One media section (`m=` and its lines, RFC 8866 §5.14) with the attributes WebRTC uses
/// typed, and everything else kept in `attributes`.
public struct MediaDescription: Hashable, Sendable {
    /// `audio`, `video`, `application`, as written.
    public var kind: String
    public var port: UInt16
    /// The `/<number of ports>` suffix, rarely used.
    public var portCount: UInt16?
    /// `UDP/TLS/RTP/SAVPF` for WebRTC media.
    public var proto: String
    /// Payload types (or other formats) in preference order, as written.
    public var formats: [String]

    public var connection: SDPConnection?
    /// `b=` values verbatim (`AS:500`, `TIAS:…`).
    public var bandwidths: [String] = []

    public var mid: String?
    public var direction: SDPDirection?
    public var iceUfrag: String?
    public var icePassword: String?
    public var fingerprints: [SDPFingerprint] = []
    public var setup: SDPSetupRole?
    public var candidates: [SDPCandidate] = []
    public var endOfCandidates = false
    public var extmaps: [SDPExtMap] = []
    /// `a=msid:<stream> <track>` values (RFC 8830 §2), verbatim.
    public var msids: [String] = []
    public var rtcpMux = false
    /// `a=rtcp-rsize` (RFC 5506).
    public var rtcpReducedSize = false
    public var rtpMaps: [SDPRTPMap] = []
    public var formatParameters: [SDPFormatParameters] = []
    public var rtcpFeedback: [SDPRTCPFeedback] = []
    public var rids: [SDPRid] = []
    public var simulcast: SDPSimulcast?
    public var ssrcGroups: [SDPSSRCGroup] = []
    public var ssrcs: [SDPSSRC] = []
    /// Attributes not interpreted here, in order.
    public var attributes: [SDPAttribute] = []

    public init(kind: String, port: UInt16, proto: String = "UDP/TLS/RTP/SAVPF", formats: [String]) {
        self.kind = kind
        self.port = port
        self.proto = proto
        self.formats = formats
    }

    /// The rtpmap of `payloadType`.
    public func rtpMap(for payloadType: UInt8) -> SDPRTPMap? {
        rtpMaps.first { $0.payloadType == payloadType }
    }

    /// The fmtp of `payloadType`.
    public func formatParameters(for payloadType: UInt8) -> SDPFormatParameters? {
        formatParameters.first { $0.payloadType == payloadType }
    }

    /// The rtcp-fb lines that apply to `payloadType` (its own and `*`).
    public func rtcpFeedback(for payloadType: UInt8) -> [SDPRTCPFeedback] {
        rtcpFeedback.filter { $0.payloadType == payloadType || $0.payloadType == nil }
    }

    /// The extmap id of `uri`, if negotiated.
    public func extmapID(for uri: String) -> UInt8? {
        extmaps.first { $0.uri == uri }?.id
    }
}
