import Foundation
import PostgresNIO

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
    public func create(ownerID: UUID, title: String, uploadLength: Int64?, uploadMetadata: String = "") async throws -> Video {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.count) else { throw StoreError(.invalidInput, "title must be 1-200 characters") }
        if let uploadLength, uploadLength < 0 { throw StoreError(.invalidInput, "upload length must be >= 0") }
        do {
            let rows = try await database.client.query("""
                INSERT INTO videos (owner_id, title, upload_length, upload_metadata)
                VALUES (\(ownerID), \(title), \(uploadLength), \(uploadMetadata))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            guard let video = try await Self.decode(rows).first else { throw StoreError(.notFound, "insert returned no row") }
            return video
        } catch where error.isForeignKeyViolation {
            throw StoreError(.notFound, "user not found")
        }
    }

    /// The video, or nil.
    public func video(id: UUID) async throws -> Video? {
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM videos WHERE id = \(id)", logger: database.logger)
        return try await Self.decode(rows).first
    }

    /// Declares the upload length of a deferred-length upload; false if it was already set.
    public func declareLength(id: UUID, length: Int64) async throws -> Bool {
        guard length >= 0 else { throw StoreError(.invalidInput, "upload length must be >= 0") }
        let rows = try await database.client.query("""
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
        let rows = try await database.client.query("""
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
        let rows = try await database.client.query("""
            UPDATE videos SET status = 'queued', progress = 0, updated_at = now()
            WHERE id = \(id) AND status = 'uploading' AND upload_offset = upload_length RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// Starts a transcode attempt (`queued | transcoding → transcoding`, attempts + 1): a job
    /// picked up again after a worker died resumes here. Returns the attempt number, or nil
    /// when the video is gone, not uploaded, or already `ready`/`failed`.
    public func startAttempt(id: UUID) async throws -> Int? {
        let rows = try await database.client.query("""
            UPDATE videos SET status = 'transcoding', attempts = attempts + 1, progress = 0, error = NULL, updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'transcoding') RETURNING attempts
            """, logger: database.logger)
        for try await attempts in rows.decode(Int.self) { return attempts }
        return nil
    }

    /// Records transcode progress (0…1) while transcoding; false otherwise.
    @discardableResult
    public func setProgress(id: UUID, progress: Double) async throws -> Bool {
        let value = min(max(progress, 0), 1)
        let rows = try await database.client.query("""
            UPDATE videos SET progress = \(value), updated_at = now()
            WHERE id = \(id) AND status = 'transcoding' RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// `transcoding → ready` with the ladder; false if the video was not transcoding.
    public func markReady(id: UUID, renditions: [Video.Rendition], durationSeconds: Double) async throws -> Bool {
        let ladder = String(decoding: try JSONEncoder().encode(renditions), as: UTF8.self)
        let rows = try await database.client.query("""
            UPDATE videos SET status = 'ready', progress = 1, renditions = \(ladder)::jsonb,
                duration_seconds = \(durationSeconds), error = NULL, updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'transcoding') RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// `queued | transcoding → failed` with a readable reason; false otherwise.
    public func markFailed(id: UUID, reason: String) async throws -> Bool {
        let rows = try await database.client.query("""
            UPDATE videos SET status = 'failed', error = \(String(reason.prefix(1_000))), updated_at = now()
            WHERE id = \(id) AND status IN ('queued', 'transcoding') RETURNING id
            """, logger: database.logger)
        return try await rows.collect().count == 1
    }

    static let columns = """
        id, owner_id, title, status, progress, error, upload_length, upload_offset, upload_metadata, multipart_id,
        parts::text, attempts, renditions::text, duration_seconds, created_at, updated_at
        """

    static func decode(_ rows: PostgresRowSequence) async throws -> [Video] {
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
            let rawParts = (try? decoder.decode([String: String].self, from: Data(partsText.utf8))) ?? [:]
            videos.append(Video(
                id: id, ownerID: ownerID, title: title, status: Video.Status(rawValue: status) ?? .failed,
                progress: progress, error: error,
                upload: VideoUpload(length: length, offset: offset, metadata: metadata, multipartID: multipartID,
                                    parts: Dictionary(uniqueKeysWithValues: rawParts.compactMap { key, etag in
                                        Int(key).map { ($0, etag) } })),
                attempts: attempts,
                renditions: (try? decoder.decode([Video.Rendition].self, from: Data(renditionsText.utf8))) ?? [],
                durationSeconds: duration, createdAt: createdAt, updatedAt: updatedAt))
        }
        return videos
    }
}
