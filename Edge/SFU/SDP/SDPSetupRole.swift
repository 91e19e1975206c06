/// `a=setup` (RFC 4145 §4, RFC 5763 §5): which side starts the DTLS handshake.
public struct SDPSetupRole: Hashable, Sendable, SDPAttributeValue {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let active = SDPSetupRole(rawValue: "active")
    public static let passive = SDPSetupRole(rawValue: "passive")
    public static let actpass = SDPSetupRole(rawValue: "actpass")
    public static let holdconn = SDPSetupRole(rawValue: "holdconn")

    public init?(sdpValue: Substring) {
        guard ["active", "passive", "actpass", "holdconn"].contains(sdpValue) else { return nil }
        rawValue = String(sdpValue)
    }

    public var sdpValue: String { rawValue }
}
