/// An IP address and port: one end of a 5-tuple, or the value of an address attribute
/// (RFC 8489 §14.1 MAPPED-ADDRESS, §14.2 XOR-MAPPED-ADDRESS).
public struct TransportAddress: Hashable, Sendable {
    public var ip: IPAddress
    public var port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }
}

extension TransportAddress: CustomStringConvertible {
    /// `192.0.2.1:32853` or `[2001:db8:…]:32853`.
    public var description: String {
        ip.isV6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
