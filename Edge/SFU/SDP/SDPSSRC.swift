/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1), e.g. `cname:…`, `msid:<stream> <track>`.
public struct SDPSSRC: Hashable, Sendable, SDPAttributeValue {
    public var ssrc: UInt32
    public var attribute: String
    public var value: String?

    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }

    public init?(sdpValue: Substring) {
        guard let space = sdpValue.firstIndex(of: " "), let ssrc = UInt32(sdpValue[..<space]) else { return nil }
        let rest = sdpValue[sdpValue.index(after: space)...]
        guard !rest.isEmpty else { return nil }
        if let colon = rest.firstIndex(of: ":") {
            self.init(ssrc: ssrc, attribute: String(rest[..<colon]), value: String(rest[rest.index(after: colon)...]))
        } else {
            self.init(ssrc: ssrc, attribute: String(rest))
        }
    }

    public var sdpValue: String {
        "\(ssrc) \(attribute)" + (value.map { ":\($0)" } ?? "")
    }
}
