/// `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
/// [raddr <a>] [rport <p>] [<name> <value>]…` (RFC 8839 §5.1). The address stays text: it may
/// be an mDNS name (`….local`).
public struct SDPCandidate: Hashable, Sendable, SDPAttributeValue {
    public var foundation: String
    public var component: UInt16
    /// `udp` or `tcp` as written (compare case-insensitively).
    public var transport: String
    public var priority: UInt32
    public var address: String
    public var port: UInt16
    /// `host`, `srflx`, `prflx`, `relay`.
    public var type: String
    public var relatedAddress: String?
    public var relatedPort: UInt16?
    /// `tcptype` for ICE-TCP (RFC 6544 §4.5): `active`, `passive`, `so`.
    public var tcpType: String?
    /// Other `name value` pairs in order (`generation 0`, `network-id 1`, `ufrag …`).
    public var extensions: [SDPAttribute]

    public init(foundation: String, component: UInt16 = 1, transport: String = "udp", priority: UInt32,
                address: String, port: UInt16, type: String = "host", relatedAddress: String? = nil,
                relatedPort: UInt16? = nil, tcpType: String? = nil, extensions: [SDPAttribute] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.extensions = extensions
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.sdpFields
        guard fields.count >= 8, fields[6] == "typ", fields.count % 2 == 0,
              let component = UInt16(fields[1]), let priority = UInt32(fields[3]), let port = UInt16(fields[5])
        else { return nil }
        self.init(foundation: String(fields[0]), component: component, transport: String(fields[2]),
                  priority: priority, address: String(fields[4]), port: port, type: String(fields[7]))
        for index in stride(from: 8, to: fields.count, by: 2) {
            let value = fields[index + 1]
            switch fields[index] {
            case "raddr" where relatedAddress == nil:
                relatedAddress = String(value)
            case "rport" where relatedPort == nil:
                guard let port = UInt16(value) else { return nil }
                relatedPort = port
            case "tcptype" where tcpType == nil:
                tcpType = String(value)
            default:
                extensions.append(SDPAttribute(name: String(fields[index]), value: String(value)))
            }
        }
    }

    public var sdpValue: String {
        var text = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type)"
        if let relatedAddress { text += " raddr \(relatedAddress)" }
        if let relatedPort { text += " rport \(relatedPort)" }
        if let tcpType { text += " tcptype \(tcpType)" }
        for pair in extensions {
            text += " \(pair.name) \(pair.value ?? "")"
        }
        return text
    }
}
