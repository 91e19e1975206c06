import NIOCore
import Synchronization

/// Which sessions watch which video (`watch`), and the fan-out of `video` events to them.
final class VideoWatchers: Sendable {
    private let watchers = Mutex<[String: [UInt64: GatewaySession]]>([:])

    func add(_ session: GatewaySession, video: String) {
        watchers.withLock { $0[video, default: [:]][session.id] = session }
    }

    func remove(_ session: GatewaySession, video: String) {
        watchers.withLock { watchers in
            watchers[video]?[session.id] = nil
            if watchers[video]?.isEmpty == true { watchers[video] = nil }
        }
    }

    func remove(_ session: GatewaySession, videos: some Sequence<String>) {
        for video in videos { remove(session, video: video) }
    }

    /// Forwards an origin's `video` event to the video's watchers.
    func received(video: String, event: ByteBuffer) {
        let sessions = watchers.withLock { $0[video].map { Array($0.values) } ?? [] }
        guard !sessions.isEmpty else { return }
        GatewaySession.send(sessions.map { ($0, [event]) })
    }

    var count: Int { watchers.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
