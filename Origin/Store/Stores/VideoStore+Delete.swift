import Foundation
import PostgresNIO

extension VideoStore {
    /// Deletes the video (tus termination); false if there was none.
    public func delete(id: UUID) async throws -> Bool {
        let rows = try await database.client.query(
            "DELETE FROM videos WHERE id = \(id) RETURNING id", logger: database.logger)
        return try await rows.collect().count == 1
    }
}
