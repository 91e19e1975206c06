import Foundation
import Logging
import PostgresNIO
import StreamLyStore

/// Thrown when the integration environment is missing, with instructions.
struct TestEnvironmentError: Error, CustomStringConvertible {
    let description: String
}

/// Gives each test its own freshly created PostgreSQL database on the server named by
/// `STREAMLY_POSTGRES_URL` (`infra/up.sh --profile dev && . .state/dev/env.sh`), and drops
/// it afterwards, so tests are independent and can run in parallel.
enum TestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "streamly.store.tests")
        logger.logLevel = .error  // the pool warns when a lease races `run()` starting; harmless here
        return logger
    }()

    /// The server URL. A missing variable fails the test (no silent skip).
    static func baseURL() throws -> PostgresURL {
        guard let url = ProcessInfo.processInfo.environment["STREAMLY_POSTGRES_URL"], !url.isEmpty else {
            throw TestEnvironmentError(description: """
                STREAMLY_POSTGRES_URL is not set. The store tests need a real PostgreSQL: run \
                `infra/up.sh --profile dev && . .state/dev/env.sh` (or the test profile) first.
                """)
        }
        return try PostgresURL(url)
    }

    /// Creates `streamly_test_<random>`, optionally migrates it, runs `body` with a running
    /// pool on it, then drops it (also when `body` throws).
    static func withFresh<Result: Sendable>(
        migrate: Bool = true, maximumConnections: Int = 4,
        _ body: (Database) async throws -> Result
    ) async throws -> Result {
        let base = try baseURL()
        let name = "streamly_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        do {
            try await admin(base) { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: logger) }
        } catch let error as PSQLError {
            throw ServerError(reflecting: error)
        }
        do {
            let result = try await withRunning(base.with(database: name), maximumConnections: maximumConnections) { database in
                if migrate { try await Migrator(database: database).migrate() }
                return try await body(database)
            }
            try await drop(name, base: base)
            return result
        } catch {
            try? await drop(name, base: base)
            throw (error as? PSQLError).map(ServerError.init(reflecting:)) ?? error
        }
    }

    /// A `PSQLError` with what the server said: its `description` is a generic sentence (to keep
    /// secrets out of logs), which tells a failed test nothing.
    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(reflecting error: PSQLError) { description = String(reflecting: error) }
    }

    /// Runs `body` with a `Database` whose pool is running, then stops the pool.
    static func withRunning<Result: Sendable>(
        _ url: PostgresURL, maximumConnections: Int = 4, _ body: (Database) async throws -> Result
    ) async throws -> Result {
        var configuration = url.clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        let database = Database(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    private static func drop(_ name: String, base: PostgresURL) async throws {
        try await admin(base) { try await $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger) }
    }

    /// One short-lived connection to the server's own database, for CREATE/DROP DATABASE.
    private static func admin(_ base: PostgresURL, _ body: (PostgresConnection) async throws -> Void) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: base.host, port: base.port, username: base.username,
                                 password: base.password, database: base.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await body(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
