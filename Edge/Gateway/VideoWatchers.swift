import Foundation
import NIOCore
import StreamLyAPI
import Synchronization

/// Which sessions watch which video (`watch`), and the fan-out of `video` events to them.
///
/// Every origin pushes every video event to each of its edges, so an edge linked to K origins
/// receives each event K times, and events from different origins interleave. A video's state
/// only moves forward (`uploading → queued → transcoding → ready | failed`, progress rising
/// within a status), so the edge keeps the newest state of each watched video and drops
/// anything not newer: duplicates, stale interleavings, and a `watch` snapshot older than a
/// live event. A new session gets the newer of its snapshot and that state; both are sent
/// under the lock, so a session never sees a state go backwards.
final class VideoWatchers: Sendable {
    private struct Watched {
        var sessions: [UInt64: (session: GatewaySession, live: Bool)] = [:]
        var newest: VideoState?
    }

    /// A video state as the ordering sees it.
    struct VideoState: Sendable {
        var rank: Int
        var progress: Double
        var event: ByteBuffer

        init?(_ event: ByteBuffer) {
            guard let decoded = try? JSONDecoder().decode(API.VideoEvent.self, from: Data(event.readableBytesView)) else {
                return nil
            }
            self.rank = Self.rank(decoded.status)
            self.progress = decoded.progress
            self.event = event
        }

        static func rank(_ status: API.VideoStatus) -> Int {
            switch status {
            case .uploading: 0
            case .queued: 1
            case .transcoding: 2
            case .deleted: 4  // after anything, ready included
            default: 3  // ready, failed
            }
        }

        func isNewer(than other: VideoState?) -> Bool {
            guard let other else { return true }
            return rank > other.rank || (rank == other.rank && rank < 3 && progress > other.progress)
        }
    }

    private let videos = Mutex<[String: Watched]>([:])

    /// Registers `session` for live events of `video`; they are held back until `activate`.
    func add(_ session: GatewaySession, video: String) {
        videos.withLock { videos in
            if videos[video]?.sessions[session.id] == nil {
                videos[video, default: Watched()].sessions[session.id] = (session, false)
            }
        }
    }

    /// Sends the newer of `snapshot` and the newest live state to `session`, then lets live
    /// events through.
    func activate(_ session: GatewaySession, video: String, snapshot: ByteBuffer) {
        videos.withLock { videos in
            guard var watched = videos[video], watched.sessions[session.id] != nil else { return }
            if let state = VideoState(snapshot), state.isNewer(than: watched.newest) { watched.newest = state }
            watched.sessions[session.id]?.live = true
            session.enqueue(watched.newest?.event ?? snapshot)
            videos[video] = watched
        }
    }

    func remove(_ session: GatewaySession, video: String) {
        videos.withLock { videos in
            videos[video]?.sessions[session.id] = nil
            if videos[video]?.sessions.isEmpty == true { videos[video] = nil }
        }
    }

    func remove(_ session: GatewaySession, videos: some Sequence<String>) {
        for video in videos { remove(session, video: video) }
    }

    /// Forwards an origin's `video` event to the video's live watchers if it is newer than
    /// what they have.
    func received(video: String, event: ByteBuffer) {
        guard let state = VideoState(event) else { return }
        videos.withLock { videos in
            guard var watched = videos[video], state.isNewer(than: watched.newest) else { return }
            watched.newest = state
            videos[video] = watched
            GatewaySession.send(event, to: watched.sessions.values.filter(\.live).map(\.session))
        }
    }

    func isWatching(_ session: GatewaySession, video: String) -> Bool {
        videos.withLock { $0[video]?.sessions[session.id]?.live == true }
    }
}
