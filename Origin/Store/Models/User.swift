import Foundation

/// A registered user (without credentials).
public struct User: Sendable, Hashable, Codable {
    public var id: UUID
    /// Lower-cased, `[a-z0-9_.-]{3,32}`.
    public var username: String
    public var createdAt: Date

    public init(id: UUID, username: String, createdAt: Date) {
        self.id = id
        self.username = username
        self.createdAt = createdAt
    }
}
