import Crypto
import Foundation
import StreamLyTokens
import PostgresNIO

/// Refresh tokens: opaque, single use, rotated, stored as SHA-256 hashes.
///
/// - `issueRefresh` starts a new *family* (one per login).
/// - `rotate` exchanges a live token for a new one in the same family and marks the old
///   one revoked and `replaced_by` the new one, in one transaction with the row locked.
/// - Presenting a token that was already rotated means two parties hold it (theft, or a
///   client bug): the whole family is revoked and `.refreshTokenReused` is thrown, so both
///   the thief and the victim must log in again.
extension TokenService {
    /// Random bytes in a refresh token.
    public static let refreshTokenByteCount = 32

    /// Creates a refresh token for `userID` in a new family.
    public func issueRefresh(userID: UUID, now: Date = Date()) async throws -> RefreshGrant {
        do {
            return try await database.withTransaction { connection in
                try await self.insertRefresh(userID: userID, familyID: UUID(), now: now, on: connection).grant
            }
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "user not found")
        }
    }

    /// Exchanges `token` for a new refresh token in the same family.
    /// - Throws: `.unauthorized` (unknown, malformed, expired or revoked token),
    ///   `.refreshTokenReused` (already rotated: the family has just been revoked).
    public func rotate(_ token: String, now: Date = Date()) async throws -> RefreshGrant {
        guard let hash = Self.refreshHash(token) else {
            throw StoreError(.unauthorized, "invalid refresh token")
        }
        enum Outcome: Sendable {
            case rotated(RefreshGrant)
            case reused
            case rejected(String)
        }
        let logger = database.logger
        let outcome = try await database.withTransaction { connection -> Outcome in
            let rows = try await connection.query("""
                SELECT id, user_id, family_id, expires_at, revoked_at, replaced_by
                FROM refresh_tokens WHERE token_hash = \(hash) FOR UPDATE
                """, logger: logger)
            var found: (id: UUID, userID: UUID, familyID: UUID, expiresAt: Date, revokedAt: Date?, replacedBy: UUID?)?
            for try await row in rows.decode((UUID, UUID, UUID, Date, Date?, UUID?).self) { found = row }
            guard let found else { return .rejected("invalid refresh token") }
            if found.revokedAt != nil {
                guard found.replacedBy != nil else { return .rejected("refresh token revoked") }
                // Committed (not rolled back) before the error is thrown below.
                try await connection.query("""
                    UPDATE refresh_tokens SET revoked_at = \(now)
                    WHERE family_id = \(found.familyID) AND revoked_at IS NULL
                    """, logger: logger)
                return .reused
            }
            guard found.expiresAt > now else { return .rejected("refresh token expired") }
            let (grant, newID) = try await self.insertRefresh(
                userID: found.userID, familyID: found.familyID, now: now, on: connection)
            try await connection.query("""
                UPDATE refresh_tokens SET revoked_at = \(now), replaced_by = \(newID) WHERE id = \(found.id)
                """, logger: logger)
            return .rotated(grant)
        }
        switch outcome {
        case .rotated(let grant):
            return grant
        case .reused:
            logger.warning("refresh token reuse detected; family revoked")
            throw StoreError(.refreshTokenReused, "refresh token was already used; please log in again")
        case .rejected(let message):
            throw StoreError(.unauthorized, message)
        }
    }

    /// The user a refresh token was issued to (whatever its state), nil for an unknown or
    /// malformed one: a cheap indexed lookup, for per-account limits before `rotate`.
    public func owner(of token: String) async throws -> UUID? {
        guard let hash = Self.refreshHash(token) else { return nil }
        let rows = try await database.query(
            "SELECT user_id FROM refresh_tokens WHERE token_hash = \(hash)", logger: database.logger)
        for try await owner in rows.decode(UUID.self) { return owner }
        return nil
    }

    /// Revokes the family `token` belongs to (logout on one device). Unknown tokens are ignored.
    public func revokeFamily(of token: String, now: Date = Date()) async throws {
        guard let hash = Self.refreshHash(token) else { return }
        try await database.query("""
            UPDATE refresh_tokens SET revoked_at = \(now)
            WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = \(hash))
              AND revoked_at IS NULL
            """, logger: database.logger)
    }

    /// Revokes every live refresh token of a user (logout everywhere, password change).
    /// - Returns: how many tokens were revoked.
    @discardableResult
    public func revokeAll(userID: UUID, now: Date = Date()) async throws -> Int {
        let rows = try await database.query("""
            UPDATE refresh_tokens SET revoked_at = \(now) WHERE user_id = \(userID) AND revoked_at IS NULL
            RETURNING id
            """, logger: database.logger)
        var count = 0
        for try await _ in rows.decode(UUID.self) { count += 1 }
        return count
    }

    // MARK: Internals

    /// Inserts a new token row; returns the grant and the row id.
    private func insertRefresh(
        userID: UUID, familyID: UUID, now: Date, on connection: PostgresConnection
    ) async throws -> (grant: RefreshGrant, id: UUID) {
        var bytes = [UInt8](repeating: 0, count: Self.refreshTokenByteCount)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = Base64URL.encode(bytes)
        let hash = Data(SHA256.hash(data: bytes))
        let expiresAt = now.addingTimeInterval(configuration.refreshTokenLifetime.timeInterval)
        let rows = try await connection.query("""
            INSERT INTO refresh_tokens (user_id, token_hash, family_id, created_at, expires_at)
            VALUES (\(userID), \(hash), \(familyID), \(now), \(expiresAt))
            RETURNING id
            """, logger: database.logger)
        var id: UUID?
        for try await value in rows.decode(UUID.self) { id = value }
        guard let id else { throw StoreError(.notFound, "insert returned no row") }
        return (RefreshGrant(userID: userID, token: token, familyID: familyID, expiresAt: expiresAt), id)
    }

    /// SHA-256 of the token's 32 decoded bytes; nil when `token` is not one of ours.
    static func refreshHash(_ token: String) -> Data? {
        guard token.utf8.count == 43, let bytes = Base64URL.decode(token), bytes.count == refreshTokenByteCount else {
            return nil
        }
        return Data(SHA256.hash(data: bytes))
    }
}
