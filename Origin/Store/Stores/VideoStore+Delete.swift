import Foundation
import PostgresNIO

extension VideoStore {
    /// Deletes the video (tus termination); false if there was none.
    public func delete(id: UUID) async throws -> Bool {
        let rows = try await database.query(
            "DELETE FROM videos WHERE id = \(id) RETURNING id", logger: database.logger)
        return try await rows.collect().count == 1
    }

    /// Removes up to `limit` videos still `uploading` whose upload last moved more than
    /// `olderThan` seconds ago, and returns them (for their objects to be deleted). Rows
    /// another origin is removing at the same moment are skipped.
    public func sweepStaleUploads(olderThan seconds: Int, limit: Int = 200) async throws -> [Video] {
        let rows = try await database.query("""
            DELETE FROM videos WHERE id IN (
                SELECT id FROM videos
                WHERE status = 'uploading' AND updated_at < now() - make_interval(secs => \(Double(seconds)))
                ORDER BY updated_at LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.columns)
            """, logger: database.logger)
        return try await Self.decode(rows)
    }

    /// Sets who may see the video; nil if there is no such video of `owner`.
    public func setVisibility(id: UUID, owner: UUID, _ visibility: Video.Visibility) async throws -> Video? {
        let rows = try await database.query("""
            UPDATE videos SET visibility = \(visibility.rawValue), updated_at = now()
            WHERE id = \(id) AND owner_id = \(owner)
            RETURNING \(unescaped: Self.columns)
            """, logger: database.logger)
        return try await Self.decode(rows).first
    }

    /// `public` videos that are `ready`, oldest first, at most `limit` after the video `after`.
    public func publicVideos(after: UUID?, limit: Int) async throws -> [Video] {
        let limit = Int64(clamping: max(0, limit))
        let rows: QueryRows
        if let after {
            rows = try await database.query("""
                SELECT \(unescaped: Self.columns) FROM videos
                WHERE visibility = 'public' AND status = 'ready'
                  AND (created_at, id) > (SELECT created_at, id FROM videos WHERE id = \(after))
                ORDER BY created_at, id LIMIT \(limit)
                """, logger: database.logger)
        } else {
            rows = try await database.query("""
                SELECT \(unescaped: Self.columns) FROM videos WHERE visibility = 'public' AND status = 'ready'
                ORDER BY created_at, id LIMIT \(limit)
                """, logger: database.logger)
        }
        return try await Self.decode(rows)
    }
}
