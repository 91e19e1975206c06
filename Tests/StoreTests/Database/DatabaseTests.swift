import Foundation
import PostgresNIO
import StreamLyRetry
import StreamLyStore
import Testing

/// Work on a connection that closes under it (what a PostgreSQL restart does to work under way)
/// ends with an answer, never a wait forever.
@Suite("Database")
struct DatabaseTests {
    /// Far longer than any answer takes: only a wait forever reaches it.
    static let hangGuard = Duration.seconds(30)

    /// The premise: postgres-nio drops a statement written to a connection whose channel has
    /// closed, and its caller waits forever (vapor/postgres-nio#487, reverted by #501). Should
    /// this start failing, postgres-nio answers such statements again and `ClosedConnectionWatch`
    /// may go.
    @Test("postgres-nio leaves a statement written to a closed connection unanswered")
    func postgresNIODropsStatementsToClosedConnections() async throws {
        try await TestDatabase.withFresh(migrate: false) { database in
            let logger = database.logger
            let outcome: Result<Int, any Error> = try await database.client.withConnection { connection in
                try await connection.close()
                try await connection.closeFuture.get()
                do {
                    return .success(try await withDeadline(.seconds(3)) {
                        try await connection.query("SELECT 1", logger: logger).collect().count
                    })
                } catch {
                    return .failure(error)
                }
            }
            #expect(throws: DeadlineExceeded.self) { try outcome.get() }
        }
    }

    @Test("a statement written to a connection that has closed is answered unavailable; the pool then serves on")
    func statementOnClosedConnectionIsAnswered() async throws {
        try await TestDatabase.withFresh(migrate: false) { database in
            let logger = database.logger
            await #expect {
                // The deadline only turns a regression (a wait forever) into a failure.
                try await withDeadline(Self.hangGuard) {
                    try await database.withConnection { connection in
                        try await connection.close()
                        try await connection.closeFuture.get()
                        return try await connection.query("SELECT 1", logger: logger).collect().count
                    }
                }
            } throws: { error in
                (error as? StoreError)?.code == .unavailable
            }
            // The work waiting on the dropped statement stays, counted.
            #expect(database.leftBehindWork == 1)
            let rows = try await database.query("SELECT 1")
            #expect(rows.rows.count == 1)
        }
    }

    @Test("a transaction whose connection closed is not rolled back on it: the body's own error comes back")
    func transactionOnClosedConnectionRethrows() async throws {
        struct BodyFailed: Error {}
        try await TestDatabase.withFresh(migrate: false) { database in
            let logger = database.logger
            await #expect(throws: BodyFailed.self) {
                try await withDeadline(Self.hangGuard) {
                    try await database.withTransaction { connection -> Void in
                        try await connection.query("SELECT 1", logger: logger)
                        try await connection.close()
                        try await connection.closeFuture.get()
                        throw BodyFailed()
                    }
                }
            }
            let rows = try await database.withTransaction { connection in
                try await connection.query("SELECT 1", logger: logger).collect().count
            }
            #expect(rows == 1)
            #expect(database.leftBehindWork == 0)
        }
    }

    @Test("many queries and transactions through a small pool all answer")
    func manyQueriesThroughASmallPool() async throws {
        try await TestDatabase.withFresh(migrate: false, maximumConnections: 2) { database in
            let logger = database.logger
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            let rows = try await database.query("SELECT \(index)::int8")
                            for try await value in rows.decode(Int64.self) { #expect(value == Int64(index)) }
                        } else {
                            let rows = try await database.withTransaction { connection in
                                try await connection.query("SELECT \(index)::int8", logger: logger).collect().count
                            }
                            #expect(rows == 1)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
