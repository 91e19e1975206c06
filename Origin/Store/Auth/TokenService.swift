import Crypto
import Foundation
import JWTKit
@_exported import StreamLyTokens

/// Issues and verifies access tokens (JWT, HS256) and refresh tokens (opaque, rotated,
/// stored hashed in PostgreSQL; see `TokenService+Refresh.swift`).
public final class TokenService: Sendable {
    /// Token settings, built once at start-up.
    public struct Configuration: Sendable {
        /// The HMAC-SHA256 key; at least 32 bytes.
        public var signingKey: [UInt8]
        public var issuer: String
        public var accessTokenLifetime: Duration
        public var refreshTokenLifetime: Duration

        public init(signingKey: [UInt8], issuer: String = "streamly",
                    accessTokenLifetime: Duration = .seconds(15 * 60),
                    refreshTokenLifetime: Duration = .seconds(30 * 24 * 3600)) {
            self.signingKey = signingKey
            self.issuer = issuer
            self.accessTokenLifetime = accessTokenLifetime
            self.refreshTokenLifetime = refreshTokenLifetime
        }
    }

    /// The only JWT algorithm accepted.
    public static let algorithm = AccessTokenCodec.algorithm

    public let configuration: Configuration
    let database: Database
    /// Signs and checks access tokens (shared with the edges).
    public let codec: AccessTokenCodec

    /// - Throws: `.configuration` if the signing key is shorter than 32 bytes.
    public init(configuration: Configuration, database: Database) async throws {
        guard configuration.signingKey.count >= 32 else {
            throw StoreError(.configuration, "the token signing key must be at least 32 bytes")
        }
        self.configuration = configuration
        self.database = database
        self.codec = try await AccessTokenCodec(signingKey: configuration.signingKey, issuer: configuration.issuer)
    }

    /// Signs an access token for `user`, valid from `now` for `accessTokenLifetime`.
    public func issueAccessToken(userID: UUID, username: String, now: Date = Date()) async throws -> (token: String, claims: AccessClaims) {
        try await codec.sign(userID: userID, username: username, now: now,
                             lifetime: configuration.accessTokenLifetime.timeInterval)
    }

    /// Verifies an access token and returns its claims.
    ///
    /// - Throws: `.invalidToken` when the token is not three base64url parts, its header
    ///   names another algorithm than HS256 (including `none`), the signature does not
    ///   match our key, the issuer differs, or the subject is not a user id;
    ///   `.tokenExpired` when `exp <= now`.
    public func verify(_ token: String, now: Date = Date()) async throws -> AccessClaims {
        do {
            return try await codec.verify(token, now: now)
        } catch {
            throw StoreError(error.code == .expired ? .tokenExpired : .invalidToken, error.message)
        }
    }
}

extension Duration {
    /// This duration in (fractional) seconds.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
