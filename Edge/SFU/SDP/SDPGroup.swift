/// `a=group:<semantics> <mid> …` (RFC 5888 §5), e.g. `BUNDLE 0 1` (RFC 9143).
public struct SDPGroup: Hashable, Sendable, SDPAttributeValue {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard let semantics = fields.first else { return nil }
        self.init(semantics: String(semantics), mids: fields.dropFirst().map(String.init))
    }

    public var sdpValue: String {
        ([semantics] + mids).joined(separator: " ")
    }

    public static let bundleSemantics = "BUNDLE"
}
