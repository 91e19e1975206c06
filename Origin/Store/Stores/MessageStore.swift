import Foundation
import PostgresNIO

/// Durable, ordered chat messages.
///
/// Per channel, `seq` is a gapless total order starting at 1: `append` locks the channel
/// row, so appends to one channel are serialised while different channels proceed in
/// parallel. `(channel, author, client_id)` is an idempotency key: a retried publish gets
/// the original message's seq back with `duplicate == true` (even if the retry's body
/// differs) and writes nothing.
///
/// The store does not check access; callers ask `ChannelStore.access` first.
public struct MessageStore: Sendable {
    /// Page sizes are clamped into this range.
    public static let limitRange: ClosedRange<Int> = 1...500

    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Appends a message, exactly once per `(channelID, authorID, clientID)`.
    ///
    /// One transaction: `SELECT … FOR UPDATE` on the channel, look the idempotency key up,
    /// otherwise insert at `last_seq + 1` and advance `last_seq`. The result is durable
    /// once this returns (PostgreSQL commit).
    /// - Throws: `.invalidInput` (client_id, body, attachments), `.notFound` (channel or author).
    public func append(
        channelID: UUID, authorID: UUID, clientID: String, body: String,
        attachments: [MessageAttachment] = []
    ) async throws -> AppendResult {
        try Validate.clientID(clientID)
        try Validate.message(body: body, attachments: attachments)
        let attachmentsJSON = try String(decoding: JSONEncoder().encode(attachments), as: UTF8.self)
        let logger = database.logger
        do {
            return try await database.withTransaction { connection in
                let locked = try await connection.query(
                    "SELECT last_seq FROM channels WHERE id = \(channelID) FOR UPDATE", logger: logger)
                var lastSeq: Int64?
                for try await seq in locked.decode(Int64.self) { lastSeq = seq }
                guard let lastSeq else { throw StoreError(.notFound, "channel not found") }

                let existing = try await connection.query("""
                    SELECT seq, id, created_at FROM messages
                    WHERE channel_id = \(channelID) AND author_id = \(authorID) AND client_id = \(clientID)
                    """, logger: logger)
                for try await (seq, id, createdAt) in existing.decode((Int64, UUID, Date).self) {
                    return AppendResult(seq: seq, id: id, createdAt: createdAt, duplicate: true)
                }

                let seq = lastSeq + 1
                let inserted = try await connection.query("""
                    INSERT INTO messages (channel_id, seq, author_id, client_id, body, attachments)
                    VALUES (\(channelID), \(seq), \(authorID), \(clientID), \(body), \(attachmentsJSON)::jsonb)
                    RETURNING id, created_at
                    """, logger: logger)
                var result: AppendResult?
                for try await (id, createdAt) in inserted.decode((UUID, Date).self) {
                    result = AppendResult(seq: seq, id: id, createdAt: createdAt, duplicate: false)
                }
                try await connection.query(
                    "UPDATE channels SET last_seq = \(seq) WHERE id = \(channelID)", logger: logger)
                guard let result else { throw StoreError(.notFound, "insert returned no row") }
                return result
            }
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "author not found")
        }
    }

    /// A page of a channel's messages, always in ascending seq order.
    ///
    /// - `after` only (or with `before`): the first `limit` messages with seq > after
    ///   (and < before): paging forward, e.g. replay after a reconnect.
    /// - `before` only, or neither: the last `limit` messages with seq < before (or the
    ///   newest): paging backward through history.
    /// - `limit` is clamped into `limitRange`.
    public func history(channelID: UUID, after: Int64? = nil, before: Int64? = nil, limit: Int = 50) async throws -> [Message] {
        if let after, after < 0 { throw StoreError(.invalidInput, "after must be >= 0") }
        if let before, before < 1 { throw StoreError(.invalidInput, "before must be >= 1") }
        let limit = Int64(min(max(limit, Self.limitRange.lowerBound), Self.limitRange.upperBound))
        let lower = after ?? 0
        let upper = before ?? Int64.max
        let query: PostgresQuery
        if after != nil {
            query = """
                SELECT \(unescaped: Self.columns) FROM messages
                WHERE channel_id = \(channelID) AND seq > \(lower) AND seq < \(upper)
                ORDER BY seq ASC LIMIT \(limit)
                """
        } else {
            query = """
                SELECT \(unescaped: Self.columns) FROM messages
                WHERE channel_id = \(channelID) AND seq < \(upper)
                ORDER BY seq DESC LIMIT \(limit)
                """
        }
        let rows = try await database.client.query(query, logger: database.logger)
        var messages: [Message] = []
        let decoder = JSONDecoder()
        for try await (seq, id, authorID, clientID, body, attachments, createdAt)
            in rows.decode((Int64, UUID, UUID, String, String, String, Date).self) {
            messages.append(Message(
                channelID: channelID, seq: seq, id: id, authorID: authorID, clientID: clientID, body: body,
                attachments: (try? decoder.decode([MessageAttachment].self, from: Data(attachments.utf8))) ?? [],
                createdAt: createdAt))
        }
        return after != nil ? messages : messages.reversed()
    }

    /// The seq of the newest message in a channel (0 when empty).
    /// - Throws: `.notFound` for an unknown channel.
    public func lastSeq(channelID: UUID) async throws -> Int64 {
        let rows = try await database.client.query(
            "SELECT last_seq FROM channels WHERE id = \(channelID)", logger: database.logger)
        for try await seq in rows.decode(Int64.self) { return seq }
        throw StoreError(.notFound, "channel not found")
    }

    private static let columns = "seq, id, author_id, client_id, body, attachments::text, created_at"
}
