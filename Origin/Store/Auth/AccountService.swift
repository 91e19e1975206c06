import Foundation

/// Signup, login and refresh: the `/auth/*` endpoints' logic, without HTTP.
///
/// Password hashing (scrypt, ~0.1 s of CPU) runs on a bounded pool of its own
/// (`PasswordHashPool`), never on the cooperative pool nor on NIO's shared blocking pool.
/// Log-ins and refreshes are limited per account (`accountLimits`). Login answers the same `.unauthorized` error for an unknown user
/// and a wrong password, after the same amount of hashing work.
public struct AccountService: Sendable {
    public let users: UserStore
    public let tokens: TokenService
    public let hasher: PasswordHasher
    private let threadPool: PasswordHashPool
    private let limits: AccountLimits

    public init(users: UserStore, tokens: TokenService, hasher: PasswordHasher = PasswordHasher(),
                hashPool: PasswordHashPool = PasswordHashPool(), limits: AccountLimits = AccountLimits()) {
        self.users = users
        self.tokens = tokens
        self.hasher = hasher
        self.threadPool = hashPool
        self.limits = limits
    }

    /// Creates an account and logs it in.
    /// - Throws: `.invalidInput` (username format, password 8–256 characters),
    ///   `.conflict` (username taken, case-insensitively).
    public func signup(username: String, password: String, now: Date = Date()) async throws -> AuthSession {
        let username = try Validate.username(username)
        try Validate.password(password)
        let hasher = self.hasher
        let hash = try await threadPool.run { try hasher.hash(password) }
        let user = try await users.create(username: username, passwordHash: hash)
        return try await session(for: user.id, username: user.username, now: now)
    }

    /// Checks credentials and starts a new session (a new refresh-token family).
    /// - Throws: `.unauthorized` ("invalid username or password") for any failure.
    public func login(username: String, password: String, now: Date = Date()) async throws -> AuthSession {
        let rejected = StoreError(.unauthorized, "invalid username or password")
        // Oversized passwords are refused before any hashing (a CPU-exhaustion guard).
        guard password.unicodeScalars.count <= 256 else { throw rejected }
        try limits.checkLogin(username: username.lowercased())
        let hasher = self.hasher
        guard let stored = try await users.credentials(username: username) else {
            try await threadPool.run { hasher.fakeVerify(password) }
            throw rejected
        }
        let matches = try await threadPool.run { hasher.verify(password, against: stored.passwordHash) }
        guard matches else { throw rejected }
        if hasher.needsRehash(stored.passwordHash) {
            let upgraded = try await threadPool.run { try hasher.hash(password) }
            try await users.updatePasswordHash(userID: stored.user.id, passwordHash: upgraded)
        }
        return try await session(for: stored.user.id, username: stored.user.username, now: now)
    }

    /// Rotates a refresh token and issues a new access token.
    /// - Throws: `.unauthorized` (invalid, expired, revoked, or the user is gone),
    ///   `.refreshTokenReused` (theft detected; the family is revoked).
    public func refresh(refreshToken: String, now: Date = Date()) async throws -> AuthSession {
        if let owner = try await tokens.owner(of: refreshToken) { try limits.checkRefresh(userID: owner) }
        let grant = try await tokens.rotate(refreshToken, now: now)
        guard let user = try await users.find(id: grant.userID) else {
            throw StoreError(.unauthorized, "user no longer exists")
        }
        let access = try await tokens.issueAccessToken(userID: user.id, username: user.username, now: now)
        return AuthSession(user: .init(id: user.id, username: user.username),
                           accessToken: access.token, refreshToken: grant.token,
                           accessTokenExpiresAt: access.claims.expiresAt, refreshTokenExpiresAt: grant.expiresAt)
    }

    /// Ends the session `refreshToken` belongs to (revokes its family).
    public func logout(refreshToken: String) async throws {
        try await tokens.revokeFamily(of: refreshToken)
    }

    private func session(for userID: UUID, username: String, now: Date) async throws -> AuthSession {
        let access = try await tokens.issueAccessToken(userID: userID, username: username, now: now)
        let refresh = try await tokens.issueRefresh(userID: userID, now: now)
        return AuthSession(user: .init(id: userID, username: username),
                           accessToken: access.token, refreshToken: refresh.token,
                           accessTokenExpiresAt: access.claims.expiresAt, refreshTokenExpiresAt: refresh.expiresAt)
    }
}
