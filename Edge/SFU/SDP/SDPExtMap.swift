/// `a=extmap:<id>[/<direction>] <uri> [<extension attributes>]` (RFC 8285 §5): the local id of
/// an RTP header extension. Ids differ between offers: never hard-code them (SFU-NOTES §1).
public struct SDPExtMap: Hashable, Sendable, SDPAttributeValue {
    /// 1–14 for one-byte headers, up to 255 with two-byte headers.
    public var id: UInt8
    public var direction: SDPDirection?
    public var uri: String
    public var extensionAttributes: String?

    public init(id: UInt8, direction: SDPDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2 else { return nil }
        let idParts = fields[0].split(separator: "/", omittingEmptySubsequences: false)
        guard idParts.count <= 2, let id = UInt8(idParts[0]), id > 0 else { return nil }
        if idParts.count == 2 {
            guard SDPDirection.all.contains(String(idParts[1])) else { return nil }
            direction = SDPDirection(rawValue: String(idParts[1]))
        }
        self.id = id
        uri = String(fields[1])
        extensionAttributes = fields.count == 3 ? String(fields[2]) : nil
    }

    public var sdpValue: String {
        "\(id)" + (direction.map { "/\($0.rawValue)" } ?? "") + " \(uri)" + (extensionAttributes.map { " \($0)" } ?? "")
    }

    /// Well-known extension URIs (RFC 9143 §15, RFC 8852 §4, RFC 6464 §4, RFC 5285, drafts).
    public static let midURI = "urn:ietf:params:rtp-hdrext:sdes:mid"
    public static let ridURI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    public static let repairedRidURI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
    public static let audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    public static let absSendTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    public static let transportWideCCURI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
}
