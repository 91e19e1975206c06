import Foundation
import JWTKit

/// The claims of a StreamLy access token (a JWT signed with HS256).
///
/// `verify(using:)` is a no-op on purpose: `AccessTokenCodec.verify` checks issuer and expiry
/// itself, against an injectable `now`, and reports each failure with its own code.
/// Do not verify these with a bare `JWTKeyCollection`.
public struct AccessClaims: JWTPayload, Equatable {
    /// The user id (UUID string).
    public var sub: SubjectClaim
    /// The username at issue time.
    public var name: String
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    /// The issuer ("streamly").
    public var iss: IssuerClaim
    /// A random token id (UUID string), for logs and future deny-lists.
    public var jti: IDClaim

    public init(userID: UUID, username: String, issuedAt: Date, expiresAt: Date, issuer: String, tokenID: UUID) {
        self.sub = SubjectClaim(value: userID.uuidString.lowercased())
        self.name = username
        // NumericDate in whole seconds (RFC 7519 §2) so every JWT library reads it alike.
        self.iat = IssuedAtClaim(value: Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down)))
        self.exp = ExpirationClaim(value: Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down)))
        self.iss = IssuerClaim(value: issuer)
        self.jti = IDClaim(value: tokenID.uuidString.lowercased())
    }

    /// The subject as a UUID (nil if the token carries something else).
    public var userID: UUID? { UUID(uuidString: sub.value) }
    public var username: String { name }
    public var issuedAt: Date { iat.value }
    public var expiresAt: Date { exp.value }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
