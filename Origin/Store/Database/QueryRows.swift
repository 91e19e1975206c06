import PostgresNIO

/// The rows of a query `Database.query` ran, read in full: decode them like a
/// `PostgresRowSequence` (`for try await (a, b) in rows.decode((A, B).self)`).
public struct QueryRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow

    /// Every row, in the order the server sent them.
    public let rows: [PostgresRow]

    init(_ rows: [PostgresRow]) {
        self.rows = rows
    }

    /// Every row. They are read already: `async throws` only to match
    /// `PostgresRowSequence.collect()`, so call sites read the same.
    public func collect() async throws -> [PostgresRow] { rows }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: rows.makeIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[PostgresRow]>

        public mutating func next() async -> PostgresRow? {
            base.next()
        }
    }
}
