import Foundation

/// What signup, login and refresh return. Encodes to the REST contract's
/// `{user: {id, username}, access_token, refresh_token}`.
public struct AuthSession: Sendable, Hashable, Encodable {
    /// The public part of a user.
    public struct UserSummary: Sendable, Hashable, Codable {
        public var id: UUID
        public var username: String

        public init(id: UUID, username: String) {
            self.id = id
            self.username = username
        }
    }

    public var user: UserSummary
    /// A JWT (HS256) for `Authorization: Bearer …`.
    public var accessToken: String
    /// An opaque single-use token for `POST /auth/refresh`.
    public var refreshToken: String
    /// When `accessToken` stops being accepted (not encoded).
    public var accessTokenExpiresAt: Date
    /// When `refreshToken` stops being accepted (not encoded).
    public var refreshTokenExpiresAt: Date

    public init(user: UserSummary, accessToken: String, refreshToken: String,
                accessTokenExpiresAt: Date, refreshTokenExpiresAt: Date) {
        self.user = user
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case user
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Ids are lower-case UUID strings everywhere in the public API (as in the token's `sub`).
        try container.encode(["id": user.id.uuidString.lowercased(), "username": user.username], forKey: .user)
        try container.encode(accessToken, forKey: .accessToken)
        try container.encode(refreshToken, forKey: .refreshToken)
    }
}
