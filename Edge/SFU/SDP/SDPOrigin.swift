/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
public struct SDPOrigin: Hashable, Sendable, SDPAttributeValue {
    public var username: String
    /// Decimal digits; kept as text because browsers use 64-bit values and beyond.
    public var sessionID: String
    public var sessionVersion: String
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(username: String = "-", sessionID: String, sessionVersion: String, networkType: String = "IN",
                addressType: String = "IP4", address: String = "127.0.0.1") {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard fields.count == 6 else { return nil }
        self.init(username: String(fields[0]), sessionID: String(fields[1]), sessionVersion: String(fields[2]),
                  networkType: String(fields[3]), addressType: String(fields[4]), address: String(fields[5]))
    }

    public var sdpValue: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}
