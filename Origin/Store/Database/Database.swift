import Logging
import PostgresNIO
import ServiceLifecycle

/// The origin's handle on PostgreSQL: a pooled `PostgresClient` plus transaction helpers.
///
/// The pool only works while `run()` is executing, so run the `Database` in a
/// `ServiceGroup` (it is a `Service`) or in a task of its own for as long as it is used:
///
/// ```swift
/// let database = try Database(url: env["STREAMLY_POSTGRES_URL"]!, logger: logger)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { await database.run() }
///     try await Migrator(database: database).migrate()
///     …
/// }
/// ```
public final class Database: Service, Sendable {
    /// The underlying pooled client, for queries the stores do not cover.
    public let client: PostgresClient
    /// Logger used for queries and transactions.
    public let logger: Logger

    /// Builds a pool from a `postgres://` URL. Nothing connects until `run()` starts.
    public convenience init(url: String, maximumConnections: Int = 20, logger: Logger) throws {
        var configuration = try PostgresURL(url).clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        self.init(configuration: configuration, logger: logger)
    }

    /// Builds a pool from a ready configuration. Nothing connects until `run()` starts.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the connection pool until the surrounding task is cancelled (or the service
    /// group shuts down gracefully).
    public func run() async {
        await client.run()
    }

    /// Leases one connection for the duration of `body`.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await body(connection)
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT` on one leased connection (READ COMMITTED).
    ///
    /// If `body` throws, the transaction is rolled back and the *original* error is
    /// rethrown (unlike postgres-nio's helper, which wraps it), so `StoreError`s reach the
    /// caller unchanged. A failed `COMMIT` is rethrown as is.
    public func withTransaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        return try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                // Best effort: if the connection is broken the server aborts the
                // transaction anyway when the session ends.
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }
}
