import Foundation
import Logging
import StreamLyAPI
import StreamLyStore

/// Publishes video state changes to `<ns>.vod.events`, from which every origin pushes them to
/// its edges and the edges to the WebSocket clients watching the video. Best effort: the state
/// itself is in PostgreSQL (a `watch` starts with it), events only make it live.
struct VideoEvents: Sendable {
    let producer: EventProducer
    let topic: String
    let logger: Logger

    func publish(_ event: API.VideoEvent) async {
        do {
            try await producer.send(topic: topic, key: Array(event.id.utf8), value: Array(try JSONEncoder().encode(event)))
        } catch {
            logger.warning("video event not published", metadata: ["video": "\(event.id)", "error": "\(error)"])
        }
    }

    /// Like `publish`, but throws when the broker did not take the event (for events that
    /// must not be lost, e.g. `deleted`).
    func publishOrThrow(_ event: API.VideoEvent) async throws {
        try await producer.send(topic: topic, key: Array(event.id.utf8), value: Array(try JSONEncoder().encode(event)))
    }

    func publish(_ video: Video) async {
        await publish(Self.event(video))
    }

    static func event(_ video: Video) -> API.VideoEvent {
        API.VideoEvent(id: video.id.uuidString.lowercased(), status: video.status, progress: video.progress,
                       error: video.error)
    }
}

/// Queues transcode jobs on `<ns>.vod.jobs`.
struct TranscodeJobQueue: Sendable {
    let producer: EventProducer
    let topic: String

    /// Returns once the broker has the job (acks=all).
    func enqueue(_ videoID: UUID) async throws {
        let id = videoID.uuidString.lowercased()
        try await producer.send(topic: topic, key: Array(id.utf8),
                                value: Array(try JSONEncoder().encode(TranscodeJobRecord(video_id: id))))
    }
}
