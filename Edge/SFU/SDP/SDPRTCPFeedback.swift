/// `a=rtcp-fb:<payload type|*> <type> [<parameter>]` (RFC 4585 §4.2): `nack`, `nack pli`,
/// `ccm fir`, `goog-remb`, `transport-cc`.
public struct SDPRTCPFeedback: Hashable, Sendable, SDPAttributeValue {
    /// The payload type, or nil for `*` (all formats).
    public var payloadType: UInt8?
    public var type: String
    public var parameter: String?

    public init(payloadType: UInt8?, type: String, parameter: String? = nil) {
        self.payloadType = payloadType
        self.type = type
        self.parameter = parameter
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2 else { return nil }
        if fields[0] == "*" {
            payloadType = nil
        } else {
            guard let payloadType = UInt8(fields[0]), payloadType < 128 else { return nil }
            self.payloadType = payloadType
        }
        type = String(fields[1])
        parameter = fields.count == 3 ? String(fields[2]) : nil
    }

    public var sdpValue: String {
        (payloadType.map(String.init) ?? "*") + " " + type + (parameter.map { " \($0)" } ?? "")
    }
}
