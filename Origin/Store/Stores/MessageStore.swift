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
    /// One statement, so one round trip and its own transaction: look the idempotency key
    /// up; if it is new, advance the channel's `last_seq` (the `UPDATE` locks the channel row
    /// until commit, serialising appends to one channel) and insert at the new value. The
    /// result is durable once this returns (PostgreSQL commit). Two concurrent appends with
    /// the same key: the later one fails the unique constraint (its `last_seq` step is rolled
    /// back with it, so no gap) and is retried once, then finds the first one's row.
    /// - Throws: `.invalidInput` (client_id, body, attachments), `.notFound` (channel or author).
    public func append(
        channelID: UUID, authorID: UUID, clientID: String, body: String,
        attachments: [MessageAttachment] = []
    ) async throws -> AppendResult {
        try Validate.clientID(clientID)
        try Validate.message(body: body, attachments: attachments)
        let attachmentsJSON = try String(decoding: JSONEncoder().encode(attachments), as: UTF8.self)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let rows = try await database.execute(AppendMessageStatement(
                    channelID: channelID, authorID: authorID, clientID: clientID, body: body, attachments: attachmentsJSON))
                if let row = rows.first {
                    return AppendResult(seq: row.seq, id: row.id, createdAt: row.createdAt, duplicate: row.duplicate)
                }
                throw StoreError(.notFound, "channel not found")
            } catch where error.isForeignKeyViolation {
                throw StoreError(.notFound, "author not found")
            } catch where error.isUniqueViolation && attempt == 1 {
                continue  // a concurrent append with the same key committed first
            }
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
        let rows = try await database.query(query, logger: database.logger)
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
        let rows = try await database.query(
            "SELECT last_seq FROM channels WHERE id = \(channelID)", logger: database.logger)
        for try await seq in rows.decode(Int64.self) { return seq }
        throw StoreError(.notFound, "channel not found")
    }

    private static let columns = "seq, id, author_id, client_id, body, attachments::text, created_at"
}
