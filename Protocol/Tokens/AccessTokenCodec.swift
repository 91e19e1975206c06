import Crypto
import Foundation
import JWTKit

/// Signs and verifies StreamLy access tokens: JWTs with HS256 only, issuer and expiry
/// checked. Origins sign at login; edges verify every request locally with the same key.
public final class AccessTokenCodec: Sendable {
    /// Why a token was refused.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public enum Code: Sendable, Equatable {
            /// Malformed, wrong algorithm (including `none`), bad signature, wrong issuer or subject.
            case invalid
            case expired
        }
        public var code: Code
        public var message: String
        public var description: String { message }
    }

    /// The only JWT algorithm accepted.
    public static let algorithm = "HS256"

    public let issuer: String
    private let keys: JWTKeyCollection

    /// Throws if the key is shorter than 32 bytes.
    public init(signingKey: [UInt8], issuer: String = "streamly") async throws {
        guard signingKey.count >= 32 else {
            throw Failure(code: .invalid, message: "the token signing key must be at least 32 bytes")
        }
        self.issuer = issuer
        self.keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: signingKey)), digestAlgorithm: .sha256)
    }

    /// Signs claims for `userID`, valid from `now` for `lifetime`.
    public func sign(userID: UUID, username: String, now: Date, lifetime: TimeInterval) async throws -> (token: String, claims: AccessClaims) {
        let claims = AccessClaims(userID: userID, username: username, issuedAt: now,
                                  expiresAt: now.addingTimeInterval(lifetime), issuer: issuer, tokenID: UUID())
        return (try await keys.sign(claims), claims)
    }

    /// Verifies a token and returns its claims.
    public func verify(_ token: String, now: Date = Date()) async throws(Failure) -> AccessClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any]
        else {
            throw Failure(code: .invalid, message: "malformed token")
        }
        guard let alg = header["alg"] as? String, alg == Self.algorithm else {
            throw Failure(code: .invalid, message: "unsupported token algorithm")
        }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw Failure(code: .invalid, message: "bad token signature")
        } catch {
            throw Failure(code: .invalid, message: "malformed token")
        }
        guard claims.iss.value == issuer, claims.userID != nil else {
            throw Failure(code: .invalid, message: "token was not issued by \(issuer)")
        }
        guard claims.expiresAt > now else {
            throw Failure(code: .expired, message: "token expired")
        }
        return claims
    }
}
