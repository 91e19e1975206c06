import PostgresNIO
import StreamLyStore
import Testing

@Suite("Migrator")
struct MigratorTests {
    @Test("applies every migration once, then nothing")
    func appliesAndReappliesIdempotently() async throws {
        try await TestDatabase.withFresh(migrate: false) { database in
            let migrator = Migrator(database: database)
            #expect(try await migrator.appliedVersions() == [])
            #expect(try await migrator.migrate() == Migration.all.map(\.version))
            #expect(try await migrator.migrate() == [])
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
            for table in ["users", "channels", "memberships", "messages", "attachments",
                          "read_markers", "refresh_tokens", "schema_migrations"] {
                let rows = try await database.client.query(
                    "SELECT to_regclass(\(table)) IS NOT NULL", logger: database.logger)
                for try await exists in rows.decode(Bool.self) { #expect(exists, "table \(table)") }
            }
        }
    }

    @Test("four origins migrating at once apply each version exactly once")
    func racingMigrators() async throws {
        try await TestDatabase.withFresh(migrate: false) { first in
            let url = try TestDatabase.baseURL().with(database: try await Self.currentDatabase(first))
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask { try await Migrator(database: first).migrate() }
                for _ in 0..<3 {
                    group.addTask {
                        try await TestDatabase.withRunning(url) { try await Migrator(database: $0).migrate() }
                    }
                }
                var all: [[Int]] = []
                for try await versions in group { all.append(versions) }
                return all
            }
            #expect(applied.flatMap { $0 }.sorted() == Migration.all.map(\.version))
            #expect(try await Migrator(database: first).appliedVersions() == Migration.all.map(\.version))
        }
    }

    @Test("a failing migration rolls back completely and is not recorded")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.withFresh(migrate: true) { database in
            let broken = Migration(version: 99, name: "broken", statements: [
                "CREATE TABLE half_done (id int)",
                "SELECT * FROM no_such_table",
            ])
            let migrator = Migrator(database: database, migrations: Migration.all + [broken])
            await #expect(throws: (any Error).self) { try await migrator.migrate() }
            #expect(try await migrator.appliedVersions() == Migration.all.map(\.version))
            let rows = try await database.client.query(
                "SELECT to_regclass('half_done') IS NULL", logger: database.logger)
            for try await absent in rows.decode(Bool.self) { #expect(absent) }
        }
    }

    @Test("migration versions must strictly increase")
    func rejectsUnorderedMigrations() async throws {
        try await TestDatabase.withFresh(migrate: false) { database in
            let a = Migration(version: 2, name: "a", statements: ["SELECT 1"])
            let b = Migration(version: 1, name: "b", statements: ["SELECT 1"])
            let error = await #expect(throws: StoreError.self) {
                try await Migrator(database: database, migrations: [a, b]).migrate()
            }
            #expect(error?.code == .configuration)
        }
    }

    static func currentDatabase(_ database: Database) async throws -> String {
        let rows = try await database.client.query("SELECT current_database()", logger: database.logger)
        for try await name in rows.decode(String.self) { return name }
        throw TestEnvironmentError(description: "no current_database()")
    }
}
