import Foundation
import IntegrationSupport
import Synchronization

/// `{op:"video", id, status, progress, error?}` (or any other object a watcher receives).
struct VideoEvent: Decodable, Sendable, CustomStringConvertible {
    var op: String
    var id: String?
    var status: String?
    var progress: Double?
    var error: String?
    var code: String?
    var description: String { "\(status ?? op)@\(progress.map { String(format: "%.3f", $0) } ?? "-")" }
}

/// A WebSocket client on an edge's `/ws` that watches one video (`{op:"watch", video}`) and
/// keeps every object it receives, in arrival order.
typealias VideoWatcher = WebSocketTestClient<VideoEvent>

extension WebSocketTestClient where Event == VideoEvent {
    /// Every `video` event so far.
    var videoEvents: [VideoEvent] { events.filter { $0.op == "video" } }

    /// Connects with `?token=`, sends `watch` and returns once the upgrade is done.
    static func watch(video: String, port: Int, token: String, timeout: Duration = .seconds(5)) async throws -> VideoWatcher {
        let watcher = try await connect(port: port, name: "watcher", queryToken: token, timeout: timeout) {
            try? JSONDecoder().decode(VideoEvent.self, from: Data($0.utf8))
        }
        watcher.send(raw: #"{"op":"watch","id":1,"video":"\#(video)"}"#)
        return watcher
    }

    /// Waits for a `video` event with `status` (or an error object); returns it.
    @discardableResult
    func waitFor(_ statuses: Set<String>, timeout: Duration) async throws -> VideoEvent {
        try await first("\(statuses.sorted())", timeout: timeout) {
            ($0.op == "video" && statuses.contains($0.status ?? "")) || $0.op == "error"
        }
    }

    /// Returns once video events reach watchers on the edge: a probe video gets one-byte PATCHes
    /// until its watcher sees `uploading` progress. A just-started origin joins its event
    /// fan-out group (offset reset `latest`) a few seconds after `/readyz`; events published
    /// before that reach no watcher.
    static func waitForEventFlow(port: Int, token: String, timeout: Duration = .seconds(30)) async throws {
        let tus = TusCurl(port: port)
        let probe = try await tus.createVideo(title: "probe", size: 1000, token: token)
        let watcher = try await watch(video: probe.id, port: port, token: token)
        let deadline = ContinuousClock.now + timeout
        var offset: Int64 = 0
        while !watcher.videoEvents.contains(where: { $0.status == "uploading" && ($0.progress ?? 0) > 0 }) {
            guard ContinuousClock.now < deadline else {
                await watcher.finish()
                throw TestFailure("no video event reached a watcher within \(timeout)")
            }
            let answer = try await tus.patch(probe.url, token: token, offset: offset, bytes: Data([0]))
            if answer.status == 204 { offset += 1 }
            try await Task.sleep(for: .milliseconds(500))
        }
        await watcher.finish()
    }
}
