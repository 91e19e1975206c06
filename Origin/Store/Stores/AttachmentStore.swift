import Foundation
import PostgresNIO

/// Chat attachments: a row per file a user announced (`POST /attachments`), whose bytes the
/// client PUTs to object storage through a presigned URL. A message may carry the user's own
/// attachments; whoever can read such a message may download them.
public struct AttachmentStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// A stored attachment row.
    public struct Attachment: Sendable, Hashable {
        public var id: UUID
        public var ownerID: UUID
        public var filename: String
        public var contentType: String
        /// The size the owner declared; the uploaded object may not exceed it.
        public var size: Int64
        public var objectKey: String
        /// `pending` until a message first carries it (its object was checked), then `uploaded`.
        public var status: String

        public var reference: MessageAttachment {
            MessageAttachment(id: id, filename: filename, contentType: contentType, size: size)
        }
    }

    /// Records an announced file under `attachments/{id}/{filename}`.
    /// - Throws: `.invalidInput` for a bad filename, content type or size; `.notFound` for an unknown owner.
    /// - Parameter quota: the owner's limits, checked with their row locked (nil: none).
    /// - Throws: `.quotaExceeded` over `quota`.
    public func create(ownerID: UUID, filename: String, contentType: String, size: Int64, maxSize: Int64,
                       quota: Quota? = nil) async throws -> Attachment {
        guard (1...255).contains(filename.utf8.count), !filename.contains("/"), !filename.contains("\\"),
              filename != ".", filename != "..", !filename.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw StoreError(.invalidInput, "filename must be 1-255 bytes without slashes or control characters") }
        guard (3...255).contains(contentType.utf8.count), contentType.contains("/"),
              contentType.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0 != "\"" })
        else { throw StoreError(.invalidInput, "content_type must be a media type such as image/png") }
        guard (0...maxSize).contains(size) else { throw StoreError(.invalidInput, "size must be 0-\(maxSize) bytes") }
        let id = UUID()
        let key = "attachments/\(id.uuidString.lowercased())/\(filename)"
        do {
            return try await database.withTransaction { connection in
                if let quota {
                    // The owner's row locked first, counted in the next statement (whose snapshot
                    // sees what the previous holder committed): concurrent announcements cannot overshoot.
                    let locked = try await connection.query("SELECT id FROM users WHERE id = \(ownerID) FOR UPDATE",
                                                            logger: database.logger).collect()
                    guard !locked.isEmpty else { throw StoreError(.notFound, "user not found") }
                    let counted = try await connection.query("""
                        SELECT (SELECT count(*) FROM attachments WHERE owner_id = \(ownerID) AND status = 'pending'),
                               (SELECT coalesce(sum(size), 0)::bigint FROM attachments WHERE owner_id = \(ownerID))
                        """, logger: database.logger)
                    var usage: (pending: Int64, bytes: Int64)?
                    for try await row in counted.decode((Int64, Int64).self) { usage = row }
                    guard let usage else { throw StoreError(.notFound, "user not found") }
                    guard usage.pending < quota.pending else {
                        throw StoreError(.quotaExceeded, "you have \(usage.pending) attachments not yet sent in a message, "
                                         + "the most allowed (\(quota.pending))")
                    }
                    guard usage.bytes + size <= quota.bytes else {
                        throw StoreError(.quotaExceeded, "attachments are limited to \(quota.bytes) bytes per user "
                                         + "(\(usage.bytes) used)")
                    }
                }
                let rows = try await connection.query("""
                    INSERT INTO attachments (id, owner_id, filename, content_type, size, object_key)
                    VALUES (\(id), \(ownerID), \(filename), \(contentType), \(size), \(key))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let attachment = try await Self.decode(rows).first else { throw StoreError(.notFound, "insert returned no row") }
                return attachment
            }
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "user not found")
        }
    }

    /// Per-user limits of `create`: attachments not yet sent in a message, and bytes of all.
    public struct Quota: Sendable, Hashable {
        public var pending: Int64
        public var bytes: Int64
        public init(pending: Int64, bytes: Int64) {
            self.pending = pending
            self.bytes = bytes
        }
    }

    /// Removes up to `limit` attachments announced more than `olderThan` seconds ago and never
    /// sent in a message (still `pending`); returns their object keys for the caller to delete.
    /// Rows another origin is sweeping at the same moment are skipped.
    public func sweepPending(olderThan seconds: Int, limit: Int = 500) async throws -> [String] {
        let rows = try await database.query("""
            DELETE FROM attachments WHERE id IN (
                SELECT id FROM attachments
                WHERE status = 'pending' AND created_at < now() - make_interval(secs => \(Double(seconds)))
                ORDER BY created_at LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING object_key
            """, logger: database.logger)
        var keys: [String] = []
        for try await key in rows.decode(String.self) { keys.append(key) }
        return keys
    }

    public func attachment(id: UUID) async throws -> Attachment? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM attachments WHERE id = \(id)", logger: database.logger)
        return try await Self.decode(rows).first
    }

    /// Marks the attachment's object as checked (first use in a message).
    public func markUploaded(id: UUID) async throws {
        try await database.query(
            "UPDATE attachments SET status = 'uploaded' WHERE id = \(id)", logger: database.logger)
    }

    /// The channels of the messages that carry the attachment (to check a downloader's access).
    /// Answered from the GIN index `messages_attachments_idx` (migration 3), whose predicate
    /// the query repeats so the planner can use it: never a scan of every message.
    public func channels(carrying id: UUID) async throws -> [UUID] {
        let rows = try await database.query(Self.carryingQuery(id), logger: database.logger)
        var channels: [UUID] = []
        for try await channel in rows.decode(UUID.self) { channels.append(channel) }
        return channels
    }

    static let columns = "id, owner_id, filename, content_type, size, object_key, status"

    /// The reader lookup (also what the index test EXPLAINs).
    public static func carryingQuery(_ id: UUID) -> PostgresQuery {
        let reference = "[{\"id\":\"\(id.uuidString)\"}]"
        return """
            SELECT DISTINCT channel_id FROM messages
            WHERE attachments <> '[]'::jsonb AND attachments @> \(reference)::jsonb LIMIT 50
            """
    }

    static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Attachment] where Rows.Element == PostgresRow {
        var found: [Attachment] = []
        for try await (id, owner, filename, contentType, size, key, status)
            in rows.decode((UUID, UUID, String, String, Int64, String, String).self) {
            found.append(Attachment(id: id, ownerID: owner, filename: filename, contentType: contentType, size: size,
                                    objectKey: key, status: status))
        }
        return found
    }
}
