import Foundation
import PostgresNIO
import StreamLyAPI

/// Videos: creation, the tus upload's durable offset, and the transcode state machine's
/// transitions. Every transition is one conditional UPDATE, so concurrent origins and
/// workers cannot move a video backwards.
public struct VideoStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Creates a video in `uploading`, with its upload length if already known.
    /// - Throws: `.invalidInput` for a bad title or length, `.notFound` for an unknown owner.
    public func create(ownerID: UUID, title: String, uploadLength: Int64?, uploadMetadata: String = "",
                       visibility: Video.Visibility = .unlisted, quota: Quota? = nil) async throws -> Video {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.count) else { throw StoreError(.invalidInput, "title must be 1-200 characters") }
        guard !title.unicodeScalars.contains(where: Validate.isControl) else {
            throw StoreError(.invalidInput, "title must not contain control characters")
        }
        if let uploadLength, uploadLength < 0 { throw StoreError(.invalidInput, "upload length must be >= 0") }
        do {
            return try await database.withTransaction { connection in
                if let quota { try await check(quota, owner: ownerID, adding: uploadLength, on: connection) }
                let rows = try await connection.query("""
                    INSERT INTO videos (owner_id, title, upload_length, upload_metadata, visibility)
                    VALUES (\(ownerID), \(title), \(uploadLength), \(uploadMetadata), \(visibility.rawValue))
                    RETURNING \(unescaped: Self.columns)
                    """, logger: database.logger)
                guard let video = try await Self.decode(rows).first else { throw StoreError(.notFound, "insert returned no row") }
                return video
            }
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "user not found")
        }
    }

    /// Per-user limits of `create`.
    public struct Quota: Sendable, Hashable {
        /// Videos in any state.
        public var videos: Int64
        /// Videos still `uploading`.
        public var pendingUploads: Int64
        /// Bytes of all videos (declared lengths; an undeclared one counts as `deferredBytes`).
        public var bytes: Int64
        public var deferredBytes: Int64
        public init(videos: Int64, pendingUploads: Int64, bytes: Int64, deferredBytes: Int64) {
            self.videos = videos
            self.pendingUploads = pendingUploads
            self.bytes = bytes
            self.deferredBytes = deferredBytes
        }
    }

    /// Throws `.quotaExceeded` unless `owner` may add a video of `length` bytes (the owner's
    /// row locked, so concurrent creations cannot overshoot).
    private func check(_ quota: Quota, owner: UUID, adding length: Int64?, on connection: PostgresConnection) async throws {
        let logger = database.logger
        _ = try await connection.query("SELECT 1 FROM users WHERE id = \(owner) FOR UPDATE", logger: logger).collect()
        let rows = try await connection.query("""
            SELECT count(v.id), count(v.id) FILTER (WHERE v.status = 'uploading'),
                   coalesce(sum(coalesce(v.upload_length, \(quota.deferredBytes))), 0)::bigint
            FROM users u LEFT JOIN videos v ON v.owner_id = u.id
            WHERE u.id = \(owner) GROUP BY u.id
            """, logger: logger)
        var usage: (videos: Int64, uploading: Int64, bytes: Int64)?
        for try await row in rows.decode((Int64, Int64, Int64).self) { usage = row }
        guard let usage else { throw StoreError(.notFound, "user not found") }
        guard usage.videos < quota.videos else {
            throw StoreError(.quotaExceeded, "you have \(usage.videos) videos, the most allowed (\(quota.videos))")
        }
        guard usage.uploading < quota.pendingUploads else {
            throw StoreError(.quotaExceeded, "you have \(usage.uploading) uploads in progress, the most allowed "
                             + "(\(quota.pendingUploads)); finish or delete one")
        }
        guard usage.bytes + (length ?? quota.deferredBytes) <= quota.bytes else {
            throw StoreError(.quotaExceeded, "videos are limited to \(quota.bytes) bytes per user (\(usage.bytes) used)")
        }
    }

    /// The video, or nil.
    public func video(id: UUID) async throws -> Video? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM videos WHERE id = \(id)", logger: database.logger)
        return try await Self.decode(rows).first
    }

    /// Declares the upload length of a deferred-length upload; false if it was already set.
    public func declareLength(id: UUID, length: Int64) async throws -> Bool {
        guard length >= 0 else { throw StoreError(.invalidInput, "upload length must be >= 0") }
        let rows = try await database.query("""
            UPDATE videos SET upload_length = \(length), updated_at = now()
            WHERE id = \(id) AND upload_length IS NULL AND upload_offset <= \(length) RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// Moves the upload from `from` to `to` bytes, records the multipart upload and new parts,
    /// and sets the upload progress; only if the stored offset is still `from` and the video
    /// is still uploading (compare-and-set). Returns false when another writer moved first.
    public func advanceUpload(id: UUID, from: Int64, to: Int64, multipartID: String?, newParts: [Int: String]) async throws -> Bool {
        let parts = String(decoding: try JSONEncoder().encode(
            Dictionary(uniqueKeysWithValues: newParts.map { (String($0.key), $0.value) })), as: UTF8.self)
        let rows = try await database.query("""
            UPDATE videos SET upload_offset = \(to), multipart_id = coalesce(\(multipartID), multipart_id),
                parts = parts || \(parts)::jsonb, updated_at = now(),
                progress = CASE WHEN upload_length > 0 THEN least(1.0, \(Double(to)) / upload_length) ELSE 0 END
            WHERE id = \(id) AND upload_offset = \(from) AND status = 'uploading'
              AND (upload_length IS NULL OR \(to) <= upload_length)
            RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// `uploading → queued` once every declared byte is stored; false if not (yet) possible.
    public func finishUpload(id: UUID) async throws -> Bool {
        let rows = try await database.query("""
            UPDATE videos SET status = 'queued', progress = 0, updated_at = now()
            WHERE id = \(id) AND status = 'uploading' AND upload_offset = upload_length RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// What `startAttempt` found.
    public enum AttemptStart: Sendable, Equatable {
        /// This worker holds the video now: the attempt number (1, 2, …).
        case started(Int)
        /// Another worker is transcoding it and its lease has not expired: wait and ask again.
        case busy
        /// Nothing to do: the video is gone, not uploaded, or already `ready`/`failed`.
        case finished
    }

    /// Starts a transcode attempt: `queued → transcoding`, or takes over a `transcoding` video
    /// whose worker has not renewed its lease (`heartbeat`) for `lease` seconds (it died);
    /// attempts + 1 either way.
    public func startAttempt(id: UUID, lease: Double = 60) async throws -> AttemptStart {
        let rows = try await database.query("""
            UPDATE videos SET status = 'transcoding', attempts = attempts + 1, progress = 0, error = NULL, updated_at = now()
            WHERE id = \(id) AND (status = 'queued'
                OR (status = 'transcoding' AND updated_at < now() - make_interval(secs => \(lease))))
            RETURNING attempts
            """, logger: database.logger)
        for try await attempts in rows.decode(Int.self) { return .started(attempts) }
        return try await video(id: id)?.status == .transcoding ? .busy : .finished
    }

    /// Renews the lease of attempt `attempt`; false when another worker took the video over
    /// (or it is no longer transcoding): the caller must stop.
    public func heartbeat(id: UUID, attempt: Int) async throws -> Bool {
        let rows = try await database.query("""
            UPDATE videos SET updated_at = now()
            WHERE id = \(id) AND status = 'transcoding' AND attempts = \(attempt) RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// Gives an interrupted attempt back (a worker shutting down, not failing): it does not
    /// count, and the next worker may take the video at once.
    public func releaseAttempt(id: UUID, attempt: Int) async throws {
        try await database.query("""
            UPDATE videos SET attempts = attempts - 1, updated_at = '-infinity'
            WHERE id = \(id) AND status = 'transcoding' AND attempts = \(attempt)
            """, logger: database.logger)
    }

    /// Records transcode progress (0…1) while transcoding (by attempt `attempt`, if given);
    /// false otherwise. Renews the lease too.
    @discardableResult
    public func setProgress(id: UUID, attempt: Int? = nil, progress: Double) async throws -> Bool {
        let value = min(max(progress, 0), 1)
        let rows = try await database.query("""
            UPDATE videos SET progress = \(value), updated_at = now()
            WHERE id = \(id) AND status = 'transcoding' AND attempts = coalesce(\(attempt), attempts) RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// `transcoding → ready` with the ladder (by attempt `attempt`, if given); false otherwise.
    public func markReady(id: UUID, attempt: Int? = nil, renditions: [Video.Rendition], durationSeconds: Double) async throws -> Bool {
        let ladder = String(decoding: try JSONEncoder().encode(renditions), as: UTF8.self)
        let rows = try await database.query("""
            UPDATE videos SET status = 'ready', progress = 1, renditions = \(ladder)::jsonb,
                duration_seconds = \(durationSeconds), error = NULL, updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'transcoding') AND attempts = coalesce(\(attempt), attempts)
            RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// `queued | transcoding → failed` with a readable reason (by attempt `attempt`, if given);
    /// false otherwise.
    public func markFailed(id: UUID, attempt: Int? = nil, reason: String) async throws -> Bool {
        let rows = try await database.query("""
            UPDATE videos SET status = 'failed', error = \(String(reason.prefix(1_000))), updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'transcoding') AND attempts = coalesce(\(attempt), attempts)
            RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// Videos `queued` for longer than `age` seconds (their job may have been lost between the
    /// upload's completion and the broker); marks them as just requeued and returns them.
    public func claimStaleQueued(olderThan age: Double, limit: Int = 100) async throws -> [UUID] {
        let rows = try await database.query("""
            UPDATE videos SET updated_at = now()
            WHERE id IN (SELECT id FROM videos WHERE status = 'queued' AND updated_at < now() - make_interval(secs => \(age))
                         ORDER BY updated_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, logger: database.logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// The videos `ownerID` uploaded, newest first (at most `limit`).
    public func videos(ownerID: UUID, limit: Int = 100) async throws -> [Video] {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM videos WHERE owner_id = \(ownerID) ORDER BY created_at DESC, id LIMIT \(limit)",
            logger: database.logger)
        return try await Self.decode(rows)
    }

    static let columns = """
        id, owner_id, title, status, progress, error, upload_length, upload_offset, upload_metadata, multipart_id,
        parts::text, attempts, renditions::text, duration_seconds, created_at, updated_at, visibility
        """

    static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Video] where Rows.Element == PostgresRow {
        var videos: [Video] = []
        let decoder = JSONDecoder()
        for try await row in rows {
            let (id, ownerID, title, status, progress, error, length, offset, metadata, multipartID) =
                try row.decode((UUID, UUID, String, String, Double, String?, Int64?, Int64, String, String?).self)
            let columns = row.makeRandomAccess()
            let partsText = try columns[10].decode(String.self)
            let attempts = try columns[11].decode(Int.self)
            let renditionsText = try columns[12].decode(String.self)
            let duration = try columns[13].decode(Double?.self)
            let createdAt = try columns[14].decode(Date.self)
            let updatedAt = try columns[15].decode(Date.self)
            let visibility = Video.Visibility(rawValue: try columns[16].decode(String.self)) ?? .private
            let rawParts = (try? decoder.decode([String: String].self, from: Data(partsText.utf8))) ?? [:]
            videos.append(Video(
                id: id, ownerID: ownerID, title: title, status: Video.Status(rawValue: status).isKnown ? Video.Status(rawValue: status) : .failed,
                progress: progress, error: error,
                upload: VideoUpload(length: length, offset: offset, metadata: metadata, multipartID: multipartID,
                                    parts: Dictionary(uniqueKeysWithValues: rawParts.compactMap { key, etag in
                                        Int(key).map { ($0, etag) } })),
                attempts: attempts,
                renditions: (try? decoder.decode([Video.Rendition].self, from: Data(renditionsText.utf8))) ?? [],
                durationSeconds: duration, createdAt: createdAt, updatedAt: updatedAt, visibility: visibility))
        }
        return videos
    }
}
