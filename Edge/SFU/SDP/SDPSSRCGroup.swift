/// `a=ssrc-group:<semantics> <ssrc> …` (RFC 5576 §4.2): `FID <media> <rtx>` pairs a stream with
/// its retransmissions (RFC 4588 §8).
public struct SDPSSRCGroup: Hashable, Sendable, SDPAttributeValue {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard let semantics = fields.first else { return nil }
        var ssrcs: [UInt32] = []
        for field in fields.dropFirst() {
            guard let ssrc = UInt32(field) else { return nil }
            ssrcs.append(ssrc)
        }
        self.init(semantics: String(semantics), ssrcs: ssrcs)
    }

    public var sdpValue: String {
        ([semantics] + ssrcs.map(String.init)).joined(separator: " ")
    }
}
