/// The 5-tuple a packet travelled on: local and remote transport address and protocol
/// (RFC 8445 §3). After the first valid check, a lite agent matches packets by it.
public struct FiveTuple: Hashable, Sendable {
    /// UDP, or TCP framed as RFC 4571 (ICE-TCP, RFC 6544).
    public struct TransportProtocol: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let udp = TransportProtocol(rawValue: "udp")
        public static let tcp = TransportProtocol(rawValue: "tcp")
    }

    public var local: TransportAddress
    public var remote: TransportAddress
    public var transport: TransportProtocol

    public init(local: TransportAddress, remote: TransportAddress, transport: TransportProtocol = .udp) {
        self.local = local
        self.remote = remote
        self.transport = transport
    }
}
