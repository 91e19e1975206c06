import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

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
///
/// Go through `query`, `withConnection` and `withTransaction`, not `client`: they answer
/// `StoreError.unavailable` when PostgreSQL closes the connection under the work (a restart),
/// where the client's own calls may wait forever (`ClosedConnectionWatch`).
public final class Database: Service, Sendable {
    /// How long work may go on after its connection closed before its caller is answered
    /// `unavailable`. A connection answers or fails every statement it received before its
    /// close callback runs, so work with an answer in hand was resumed before this timer
    /// started and runs ahead of it on the executor; only work waiting on a statement the
    /// closed connection dropped (or doing a second of other work after the close) reaches it.
    public static let closedConnectionGrace = Duration.seconds(1)

    /// The underlying pooled client, for queries the stores do not cover.
    public let client: PostgresClient
    /// Logger used for queries and transactions.
    public let logger: Logger
    let watch = ClosedConnectionWatch()
    /// Work tasks answered `unavailable` after their connection closed that have not ended
    /// (`leftBehindWork`).
    private let leftBehind = Atomic<Int>(0)

    /// How many work tasks wait, left behind, on statements closed connections dropped. Each
    /// holds its task and its closed connection (a few KiB) for the life of the process:
    /// postgres-nio offers no way to fail a statement it dropped. At most one per connection
    /// leased when PostgreSQL closed it, so a restart adds at most `maximumConnections`;
    /// every one is logged (warning, `left_behind` the count) so that a growing count shows.
    public var leftBehindWork: Int { leftBehind.load(ordering: .relaxed) }

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

    /// Runs `query` on a pooled connection and reads its rows in full before the connection
    /// goes back to the pool (every query here is bounded by a `LIMIT` or a key).
    @discardableResult
    public func query(_ query: PostgresQuery, logger: Logger? = nil,
                      file: String = #fileID, line: Int = #line) async throws -> QueryRows {
        let queryLogger = logger ?? self.logger
        return try await leasing { connection in
            QueryRows(try await connection.query(query, logger: queryLogger, file: file, line: line).collect())
        }
    }

    /// Runs a prepared statement on a pooled connection (prepared there the first time it runs
    /// on that connection: parsed and planned once, not at every call) and reads its rows in
    /// full. For the statements every chat message runs.
    public func execute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger? = nil
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        let queryLogger = logger ?? self.logger
        return try await leasing { connection in
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: queryLogger) { rows.append(row) }
            return rows
        }
    }

    /// Leases one connection for the duration of `body`.
    public func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await leasing(body)
    }

    /// Runs `body` inside `BEGIN … COMMIT` on one leased connection (READ COMMITTED).
    ///
    /// If `body` throws, the transaction is rolled back and the *original* error is
    /// rethrown (unlike postgres-nio's helper, which wraps it), so `StoreError`s reach the
    /// caller unchanged. A failed `COMMIT` is rethrown as is.
    public func withTransaction<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        return try await leasing { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                // A closed connection has no transaction left to roll back (the server aborts
                // it when the session ends), and a ROLLBACK written to it would go unanswered.
                if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }

    /// `body`'s answer on a leased connection, or `StoreError.unavailable` once the connection
    /// has closed and `body` has not answered within `closedConnectionGrace` (or when it fails
    /// because the connection was lost: `isConnectionLoss`). `body` runs in a
    /// task of its own, cancelled with the caller; after a close it is cancelled and left
    /// behind (it may wait forever on a statement the closed connection dropped:
    /// `leftBehindWork`).
    func leasing<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let client = self.client
        let watch = self.watch
        let lease = Lease<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                lease.start(continuation) {
                    do {
                        let result = try await client.withConnection { connection in
                            watch.hold(connection) {
                                Task {
                                    try? await Task.sleep(for: Database.closedConnectionGrace)
                                    self.abandon(lease)
                                }
                            }
                            defer { watch.release(connection) }
                            return try await body(connection)
                        }
                        lease.resume(with: .success(result))
                    } catch where error.isConnectionLoss {
                        lease.resume(with: .failure(StoreError(.unavailable, "PostgreSQL connection lost; retry")))
                    } catch {
                        lease.resume(with: .failure(error))
                    }
                    if lease.finish() { self.leftBehind.subtract(1, ordering: .relaxed) }
                }
            }
        } onCancel: {
            lease.cancel()
        }
    }

    /// `lease`'s connection closed a grace ago: its caller is answered `unavailable` if the work
    /// has not answered, and the work, if still running, is counted left behind.
    private func abandon<Value>(_ lease: Lease<Value>) {
        lease.abandon(StoreError(.unavailable, "PostgreSQL closed the connection; retry")) {
            let count = leftBehind.add(1, ordering: .relaxed).newValue
            logger.warning("PostgreSQL work left waiting on a closed connection", metadata: ["left_behind": "\(count)"])
        }
    }
}

/// One `Database.leasing` call: the caller's continuation, resumed once with the first answer,
/// and the task doing the work.
private final class Lease<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var work: Task<Void, Never>?
        var cancelled = false
        /// The work task has ended.
        var finished = false
        /// The work was abandoned while still running.
        var abandoned = false
    }

    private let state = Mutex(State())

    /// Starts `work` for the caller waiting on `continuation` (cancelled at once if the caller was).
    func start(_ continuation: CheckedContinuation<Value, any Error>, work: @escaping @Sendable () async -> Void) {
        state.withLock { $0.continuation = continuation }
        let task = Task { await work() }
        let cancelled = state.withLock { state in
            state.work = task
            return state.cancelled
        }
        if cancelled { task.cancel() }
    }

    /// The work's answer (ignored if the caller was answered already).
    func resume(with result: Result<Value, any Error>) {
        state.withLock { $0.continuation.take() }?.resume(with: result)
    }

    /// Answers the caller with `error` if the work has not, and cancels the work; calls
    /// `leftBehind` first if the work is still running.
    func abandon(_ error: any Error, leftBehind: () -> Void) {
        let (continuation, work, abandoned) = state.withLock { state in
            state.abandoned = !state.finished
            return (state.continuation.take(), state.work, state.abandoned)
        }
        if abandoned { leftBehind() }
        continuation?.resume(throwing: error)
        work?.cancel()
    }

    /// The work task ends (after answering). True when it had been left behind.
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            return state.abandoned
        }
    }

    /// The caller was cancelled: so is the work (which then answers, typically with the error).
    func cancel() {
        let work = state.withLock { state in
            state.cancelled = true
            return state.work
        }
        work?.cancel()
    }
}
