import Foundation
import PostgresNIO

/// Users and their password hashes.
public struct UserStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Inserts a user. `username` is validated and lower-cased; `passwordHash` is the
    /// encoded string from `PasswordHasher`.
    /// - Throws: `.invalidInput` for a bad username, `.conflict` if it is taken
    ///   (case-insensitively).
    public func create(username: String, passwordHash: String) async throws -> User {
        let name = try Validate.username(username)
        do {
            let rows = try await database.query("""
                INSERT INTO users (username, password_hash) VALUES (\(name), \(passwordHash))
                RETURNING id, username, created_at
                """, logger: database.logger)
            for try await (id, username, createdAt) in rows.decode((UUID, String, Date).self) {
                return User(id: id, username: username, createdAt: createdAt)
            }
        } catch where error.isUniqueViolation {
            throw StoreError(.conflict, "username \(name) is already taken")
        }
        throw StoreError(.notFound, "insert returned no row")
    }

    /// Looks a user up by id.
    public func find(id: UUID) async throws -> User? {
        let rows = try await database.query(
            "SELECT id, username, created_at FROM users WHERE id = \(id)", logger: database.logger)
        for try await (id, username, createdAt) in rows.decode((UUID, String, Date).self) {
            return User(id: id, username: username, createdAt: createdAt)
        }
        return nil
    }

    /// The users among `ids` that exist (at most 100 ids are looked up), in no particular order.
    public func find(ids: [UUID]) async throws -> [User] {
        let ids = Array(Set(ids).prefix(100))
        guard !ids.isEmpty else { return [] }
        let rows = try await database.query(
            "SELECT id, username, created_at FROM users WHERE id = ANY(\(ids))", logger: database.logger)
        var users: [User] = []
        for try await (id, username, createdAt) in rows.decode((UUID, String, Date).self) {
            users.append(User(id: id, username: username, createdAt: createdAt))
        }
        return users
    }

    /// Looks a user up by username, case-insensitively. Returns nil for unknown or
    /// syntactically invalid names.
    public func find(username: String) async throws -> User? {
        try await credentials(username: username)?.user
    }

    /// The user and their stored password hash, for login.
    public func credentials(username: String) async throws -> (user: User, passwordHash: String)? {
        guard let name = try? Validate.username(username) else { return nil }
        let rows = try await database.query("""
            SELECT id, username, created_at, password_hash FROM users WHERE lower(username) = \(name)
            """, logger: database.logger)
        for try await (id, username, createdAt, hash) in rows.decode((UUID, String, Date, String).self) {
            return (User(id: id, username: username, createdAt: createdAt), hash)
        }
        return nil
    }

    /// Replaces a user's password hash (e.g. after `PasswordHasher.needsRehash`).
    public func updatePasswordHash(userID: UUID, passwordHash: String) async throws {
        try await database.query(
            "UPDATE users SET password_hash = \(passwordHash) WHERE id = \(userID)", logger: database.logger)
    }
}
