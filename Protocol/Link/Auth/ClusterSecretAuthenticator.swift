import Crypto
import StreamLyProtocol

/// HMAC-SHA256 challenge/response over a shared cluster secret (`Protocol/README.md`, "Authentication").
/// Each side proves knowledge of the secret over both nonces, both node IDs and the
/// version, so a recorded proof is useless on another connection.
public struct ClusterSecretAuthenticator: LinkAuthenticator {
    /// Shortest accepted secret, in bytes.
    public static let minimumSecretLength = 32

    private let key: SymmetricKey
    public let methods: LinkAuthMethods

    /// Throws if the secret is shorter than 32 bytes.
    public init(secret: String, alsoAcceptMutualTLS: Bool = false) throws {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumSecretLength else {
            throw LinkError(.invalidArgument, "the cluster secret must be at least \(Self.minimumSecretLength) bytes, got \(bytes.count)")
        }
        key = SymmetricKey(data: bytes)
        methods = alsoAcceptMutualTLS ? [.clusterSecret, .mutualTLS] : .clusterSecret
    }

    public func proof(_ side: LinkAuthSide, context: LinkAuthContext) -> [UInt8] {
        guard context.method == .clusterSecret else { return [] }
        return Array(HMAC<SHA256>.authenticationCode(for: Self.transcript(side, context), using: key))
    }

    public func verify(_ proof: [UInt8], of side: LinkAuthSide, context: LinkAuthContext) -> Bool {
        switch context.method {
        case .clusterSecret:
            return HMAC<SHA256>.isValidAuthenticationCode(proof, authenticating: Self.transcript(side, context), using: key)
        case .mutualTLS:
            // The TLS layer verified the peer's certificate before any frame was read.
            return methods.contains(.mutualTLS) && proof.isEmpty
        default:
            return false
        }
    }

    /// `label || version || len(clientID) || clientID || len(serverID) || serverID || clientNonce || serverNonce`
    static func transcript(_ side: LinkAuthSide, _ context: LinkAuthContext) -> [UInt8] {
        var bytes = Array((side == .client ? "streamly-link client" : "streamly-link server").utf8)
        bytes.append(UInt8(context.version >> 8))
        bytes.append(UInt8(context.version & 0xFF))
        for id in [context.clientNodeID, context.serverNodeID] {
            bytes.append(UInt8(id.utf8.count))
            bytes.append(contentsOf: id.utf8)
        }
        bytes.append(contentsOf: context.clientNonce)
        bytes.append(contentsOf: context.serverNonce)
        return bytes
    }
}
