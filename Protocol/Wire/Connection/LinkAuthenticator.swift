/// What both peers' proofs are computed over (see `Protocol/README.md`, "Authentication").
public struct LinkAuthContext: Hashable, Sendable {
    public var version: UInt16
    public var method: LinkAuthMethods
    public var clientNodeID: String
    public var serverNodeID: String
    public var clientNonce: [UInt8]
    public var serverNonce: [UInt8]

    public init(version: UInt16, method: LinkAuthMethods, clientNodeID: String, serverNodeID: String,
                clientNonce: [UInt8], serverNonce: [UInt8]) {
        self.version = version
        self.method = method
        self.clientNodeID = clientNodeID
        self.serverNodeID = serverNodeID
        self.clientNonce = clientNonce
        self.serverNonce = serverNonce
    }
}

/// Which side of the handshake a proof belongs to.
public enum LinkAuthSide: Hashable, Sendable {
    /// The peer that opened the TCP connection (sends AUTH).
    case client
    /// The peer that accepted it (sends AUTH_OK).
    case server
}

/// Computes and checks authentication proofs. The protocol module holds no
/// cryptography: the link runtime supplies an HMAC implementation, tests a fake.
public protocol LinkAuthenticator: Sendable {
    /// Methods this peer can use. The accepting peer picks mutual TLS when both offer it, else the cluster secret.
    var methods: LinkAuthMethods { get }
    /// This peer's proof for `side`.
    func proof(_ side: LinkAuthSide, context: LinkAuthContext) -> [UInt8]
    /// Whether `proof` is the correct proof of `side`; must compare in constant time.
    func verify(_ proof: [UInt8], of side: LinkAuthSide, context: LinkAuthContext) -> Bool
}

/// What the handshake learnt about the peer.
public struct LinkPeer: Hashable, Sendable {
    public var nodeID: String
    public var role: LinkRole
    public var version: UInt16
    public var authMethod: LinkAuthMethods
    public var settings: LinkSettings
}
