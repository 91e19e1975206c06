/// What the SFU forwards and which RTP extensions and feedback it understands: the rules of
/// SFU-NOTES §2 and §9. Opus; VP8; H.264 packetization-mode 1. Bandwidth feedback both ways:
/// REMB with abs-send-time, and transport-wide congestion control (the edge sends transport-cc
/// feedback to publishers, `TransportFeedbackGenerator`, and reads subscribers' feedback,
/// `SendSideBandwidthEstimator`; negotiating it without feedback would starve Chromium's
/// encoder: SFU-NOTES §9, obs S6).
public enum SFUCapabilities {
    /// The extensions the SFU accepts on a publish connection.
    public static let publishExtensions: Set<String> = [
        SDPExtMap.midURI, SDPExtMap.ridURI, SDPExtMap.repairedRidURI, SDPExtMap.audioLevelURI, SDPExtMap.absSendTimeURI,
        SDPExtMap.transportWideCCURI,
    ]
    /// The feedback the SFU answers or sends, per codec.
    public static let videoFeedback: [(type: String, parameter: String?)] = [
        ("goog-remb", nil), ("transport-cc", nil), ("ccm", "fir"), ("nack", nil), ("nack", "pli"),
    ]
    /// The feedback for audio codecs (Chromium offers `transport-cc` on Opus).
    public static let audioFeedback: [(type: String, parameter: String?)] = [("transport-cc", nil)]

    /// Fixed extension ids of subscribe connections (one BUNDLE: one id per URI for all m-sections).
    public static let subscribeMidID: UInt8 = 1
    public static let subscribeAbsSendTimeID: UInt8 = 2
    public static let subscribeAudioLevelID: UInt8 = 3
    public static let subscribeTransportCCID: UInt8 = 4
    /// An id no subscribe SDP maps: extensions the subscriber must not interpret (the
    /// publisher's mid, rid, …) are renamed to it and ignored by the receiver (RFC 8285 §5).
    public static let subscribeIgnoredID: UInt8 = 14

    /// Whether the SFU forwards this codec (Opus, VP8, H.264 packetization-mode 1).
    public static func accepts(_ rtpMap: SDPRTPMap, parameters: [String: String]) -> Bool {
        switch rtpMap.encodingName.lowercased() {
        case "opus": return rtpMap.clockRate == 48_000
        case "vp8": return rtpMap.clockRate == 90_000
        case "h264": return rtpMap.clockRate == 90_000 && parameters["packetization-mode"] == "1"
        default: return false
        }
    }

    /// Preference among accepted codecs (lower first): VP8, then H.264 constrained baseline
    /// 42e01f (what browsers decode everywhere), then other H.264 profiles.
    static func rank(_ rtpMap: SDPRTPMap, parameters: [String: String]) -> Int {
        switch rtpMap.encodingName.lowercased() {
        case "opus", "vp8": return 0
        default: return parameters["profile-level-id"]?.lowercased().hasPrefix("42e0") == true ? 1 : 2
        }
    }
}
