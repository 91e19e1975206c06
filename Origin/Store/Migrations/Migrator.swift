import Logging
import PostgresNIO

/// Applies `Migration`s at start-up and records them in `schema_migrations`.
///
/// - Idempotent: versions already recorded are skipped, so calling `migrate()` on every
///   start is the intended use.
/// - Each pending migration runs in its own transaction together with its
///   `schema_migrations` row: it is applied completely or not at all.
/// - Safe when several origins start at once: every transaction first takes a
///   transaction-scoped advisory lock (`pg_advisory_xact_lock`), then re-reads what is
///   applied, so exactly one origin applies each version and the others wait and skip it.
public struct Migrator: Sendable {
    /// The advisory-lock key shared by every StreamLy origin ("StreamLy" in ASCII).
    public static let advisoryLockKey: Int64 = 0x5374_7265_616D_4C79

    public let database: Database
    public let migrations: [Migration]

    /// - Parameter migrations: defaults to `Migration.all`; versions must strictly increase.
    public init(database: Database, migrations: [Migration] = Migration.all) {
        self.database = database
        self.migrations = migrations
    }

    /// Applies every pending migration in version order.
    /// - Returns: the versions this call applied (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try validateOrder()
        var applied: [Int] = []
        while let version = try await applyNextPending() {
            applied.append(version)
        }
        return applied
    }

    /// The versions recorded in `schema_migrations`, ascending (empty on a fresh database).
    public func appliedVersions() async throws -> [Int] {
        let logger = database.logger
        return try await database.withConnection { connection in
            let rows = try await connection.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            var exists = false
            for try await value in rows.decode(Bool.self) { exists = value }
            guard exists else { return [] }
            return try await Self.recordedVersions(on: connection, logger: logger)
        }
    }

    /// One transaction: lock, find the first pending migration, apply and record it.
    /// Returns its version, or nil when nothing is pending.
    private func applyNextPending() async throws -> Int? {
        let logger = database.logger
        let migrations = self.migrations
        return try await database.withTransaction { connection -> Int? in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
            try await Self.ensureTable(on: connection, logger: logger)
            let done = Set(try await Self.recordedVersions(on: connection, logger: logger))
            guard let next = migrations.first(where: { !done.contains($0.version) }) else {
                return nil
            }
            logger.info("applying migration", metadata: [
                "version": "\(next.version)", "name": "\(next.name)",
            ])
            for statement in next.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(next.version), \(next.name))",
                logger: logger)
            return next.version
        }
    }

    private func validateOrder() throws {
        for (previous, next) in zip(migrations, migrations.dropFirst()) where next.version <= previous.version {
            throw StoreError(.configuration,
                             "migration versions must strictly increase (\(previous.version) then \(next.version))")
        }
    }

    private static func ensureTable(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    bigint PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
    }

    private static func recordedVersions(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        let rows = try await connection.query(
            "SELECT version FROM schema_migrations ORDER BY version", logger: logger)
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) {
            versions.append(version)
        }
        return versions
    }
}
