import Foundation
import Logging

/// Where an upload reports to the rest of the origin.
struct UploadHooks: Sendable {
    /// The stored offset advanced: `(video, offset, length)`; length nil while deferred.
    /// Called after each successful commit (every whole part, or the end of a PATCH).
    var progress: @Sendable (UUID, Int64, Int64?) async -> Void
    /// The source object `uploads/{id}/source` is complete and the video is `queued`.
    /// Called once per video, by the origin that moved it to `queued`. The transcode-job
    /// producer plugs in here.
    var completed: @Sendable (UUID) async -> Void

    init(progress: @escaping @Sendable (UUID, Int64, Int64?) async -> Void,
         completed: @escaping @Sendable (UUID) async -> Void) {
        self.progress = progress
        self.completed = completed
    }

    /// Hooks that only log.
    static func logging(_ logger: Logger) -> UploadHooks {
        UploadHooks(
            progress: { id, offset, length in
                logger.debug("upload progress", metadata: [
                    "video": "\(id.uuidString.lowercased())", "offset": "\(offset)", "length": "\(length.map(String.init) ?? "deferred")"])
            },
            completed: { id in
                logger.info("upload complete", metadata: ["video": "\(id.uuidString.lowercased())"])
            })
    }
}
