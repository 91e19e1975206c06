import Foundation
import PostgresNIO

/// The edge directory, shared by every origin through PostgreSQL: each edge's last
/// announcement, live until its expiry. Clocks are the database's (`now()`), so origins and
/// edges need not agree on the time.
public struct EdgeStore: Sendable {
    public let database: Database
    /// Expired rows older than this are deleted by the next announcement.
    static let retention = "10 minutes"

    public init(database: Database) {
        self.database = database
    }

    /// A live edge: its announcement (JSON, as the edge sent it) and the milliseconds it still lives.
    public struct Entry: Sendable, Hashable {
        public var id: String
        public var record: String
        public var expiresInMS: Int64
    }

    /// Records `record` as edge `id`'s announcement, live for `ttlMS` from now, and returns
    /// every live edge (this one included), by id. Rows expired long ago are deleted on the way.
    public func announce(id: String, region: String, record: String, calls: [String], ttlMS: Int64) async throws -> [Entry] {
        let rows = try await database.client.query("""
            WITH pruned AS (
                DELETE FROM edges WHERE expires_at < now() - interval '\(unescaped: Self.retention)' AND id <> \(id)
            ), upsert AS (
                INSERT INTO edges (id, region, record, calls, announced_at, expires_at)
                VALUES (\(id), \(region), \(record), \(calls), now(), now() + \(ttlMS) * interval '1 millisecond')
                ON CONFLICT (id) DO UPDATE SET region = EXCLUDED.region, record = EXCLUDED.record, calls = EXCLUDED.calls,
                                               announced_at = EXCLUDED.announced_at, expires_at = EXCLUDED.expires_at
                RETURNING id, record, expires_at
            )
            SELECT id, record, (extract(epoch FROM expires_at - now()) * 1000)::bigint FROM edges
                WHERE expires_at > now() AND id <> \(id)
            UNION ALL
            SELECT id, record, (extract(epoch FROM expires_at - now()) * 1000)::bigint FROM upsert
            ORDER BY 1
            """, logger: database.logger)
        return try await Self.decode(rows)
    }

    /// Removes edge `id` at once (it drains and leaves). Returns whether it was there.
    @discardableResult
    public func withdraw(id: String) async throws -> Bool {
        let rows = try await database.client.query(
            "DELETE FROM edges WHERE id = \(id) RETURNING id", logger: database.logger)
        var found = false
        for try await _ in rows { found = true }
        return found
    }

    /// Every live edge by id; with `call`, only those hosting participants of that call.
    public func live(hosting call: String? = nil) async throws -> [Entry] {
        let rows: PostgresRowSequence
        if let call {
            rows = try await database.client.query("""
                SELECT id, record, (extract(epoch FROM expires_at - now()) * 1000)::bigint FROM edges
                WHERE expires_at > now() AND calls @> ARRAY[\(call)]::text[] ORDER BY id
                """, logger: database.logger)
        } else {
            rows = try await database.client.query("""
                SELECT id, record, (extract(epoch FROM expires_at - now()) * 1000)::bigint FROM edges
                WHERE expires_at > now() ORDER BY id
                """, logger: database.logger)
        }
        return try await Self.decode(rows)
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Entry] {
        var entries: [Entry] = []
        for try await (id, record, expires) in rows.decode((String, String, Int64).self) {
            entries.append(Entry(id: id, record: record, expiresInMS: max(0, expires)))
        }
        return entries
    }
}
