/// One versioned schema change, defined in Swift and applied by `Migrator`.
///
/// Migrations are append-only: never edit one that has shipped; add a new version.
/// `statements` run in order inside one transaction (PostgreSQL DDL is transactional);
/// they are separate strings because the extended query protocol takes one statement
/// at a time.
public struct Migration: Sendable, Hashable {
    /// Strictly increasing version number, recorded in `schema_migrations.version`.
    public var version: Int
    /// Short human-readable name, recorded in `schema_migrations.name`.
    public var name: String
    /// SQL statements, executed in order.
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension Migration {
    /// Every migration of the StreamLy schema, in version order.
    public static let all: [Migration] = [
        .v1InitialSchema,
        .v2Videos,
        .v3Limits,
        .v4EdgeDirectory,
    ]
}
