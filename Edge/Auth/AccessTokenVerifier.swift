/// A user whose access token the edge verified.
public struct VerifiedUser: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Token expiry as seconds since 1970.
    public var expiresAt: Double
    public init(id: String, name: String, expiresAt: Double) {
        self.id = id
        self.name = name
        self.expiresAt = expiresAt
    }
}

/// Checks access tokens at the edge, without calling an origin.
public protocol AccessTokenVerifier: Sendable {
    func verify(_ token: String) async throws -> VerifiedUser
}
