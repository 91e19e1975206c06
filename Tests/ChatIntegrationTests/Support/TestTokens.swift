import Crypto
import Foundation
import IntegrationSupport

/// Hand-made access tokens (JWT, RFC 7519) for the auth tests: expired, signed with
/// the wrong key, `alg: none`.
enum TestTokens {
    /// The key the test nodes sign and verify access tokens with (`auth.jwt.secret`).
    static let signingKey = ChildProcess.testSecrets["STREAMLY_AUTH_JWT_SECRET"]!

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Claims shaped like the origin's, for `user`, expiring `expiresIn` seconds from now.
    static func claims(user: String, name: String, expiresIn: TimeInterval) -> [String: any Sendable] {
        let now = Int(Date().timeIntervalSince1970)
        return ["sub": user, "name": name, "iss": "streamly", "iat": now - 3_600, "exp": now + Int(expiresIn),
                "jti": UUID().uuidString.lowercased()]
    }

    /// `header.payload.signature` with HS256 under `key`.
    static func hs256(_ claims: [String: any Sendable], key: String = signingKey) throws -> String {
        let input = try unsigned(["alg": "HS256", "typ": "JWT"], claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return input + "." + base64URL(Data(mac))
    }

    /// An unsecured JWT (`alg: none`, empty signature, RFC 7519 §6).
    static func none(_ claims: [String: any Sendable]) throws -> String {
        try unsigned(["alg": "none", "typ": "JWT"], claims) + "."
    }

    private static func unsigned(_ header: [String: any Sendable], _ claims: [String: any Sendable]) throws -> String {
        base64URL(try JSONSerialization.data(withJSONObject: header)) + "." + base64URL(try JSONSerialization.data(withJSONObject: claims))
    }
}
