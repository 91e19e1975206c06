import Foundation

/// A freshly issued refresh token. Only its SHA-256 hash is stored; `token` is shown to
/// the client once.
public struct RefreshGrant: Sendable, Hashable {
    public var userID: UUID
    /// 32 random bytes, base64url without padding (43 characters).
    public var token: String
    /// Every token rotated from the same login shares a family; reuse revokes the family.
    public var familyID: UUID
    public var expiresAt: Date

    public init(userID: UUID, token: String, familyID: UUID, expiresAt: Date) {
        self.userID = userID
        self.token = token
        self.familyID = familyID
        self.expiresAt = expiresAt
    }
}
