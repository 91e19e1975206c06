import Foundation
import HummingbirdWSClient
import IntegrationSupport
import Synchronization

/// A real WebSocket client (HummingbirdWSClient) on an edge's `/ws` that watches one video
/// (`{op:"watch", video}`) and keeps every `video` event, in arrival order.
final class VideoWatcher: Sendable {
    /// `{op:"video", id, status, progress, error?}`.
    struct Event: Decodable, Sendable, CustomStringConvertible {
        var op: String
        var id: String?
        var status: String?
        var progress: Double?
        var error: String?
        var code: String?
        var description: String { "\(status ?? op)@\(progress.map { String(format: "%.3f", $0) } ?? "-")" }
    }

    private struct State {
        var events: [Event] = []
        var open = false
        var failure: String?
    }
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let closing: AsyncStream<Void>
    private let closer: AsyncStream<Void>.Continuation

    private init() {
        (closing, closer) = AsyncStream.makeStream(of: Void.self)
    }

    /// Every `video` event so far.
    var events: [Event] { state.withLock { $0.events.filter { $0.op == "video" } } }
    /// Every object so far, `error`s included.
    var everything: [Event] { state.withLock { $0.events } }

    /// Connects with `?token=`, sends `watch` and returns once the upgrade is done.
    static func watch(video: String, port: Int, token: String, timeout: Duration = .seconds(5)) async throws -> VideoWatcher {
        let watcher = VideoWatcher()
        let running = Task {
            do {
                _ = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/ws?token=\(token)", configuration: .init(maxFrameSize: 1 << 20),
                    logger: .init(label: "vod-watcher")
                ) { inbound, outbound, _ in
                    watcher.state.withLock { $0.open = true }
                    try await outbound.write(.text(#"{"op":"watch","id":1,"video":"\#(video)"}"#))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await _ in watcher.closing { break }
                            try await outbound.close(.normalClosure, reason: "done")
                        }
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            guard case .text(let text) = message,
                                  let event = try? JSONDecoder().decode(Event.self, from: Data(text.utf8)) else { continue }
                            watcher.state.withLock { $0.events.append(event) }
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                watcher.state.withLock { $0.failure = "\(error)" }
            }
        }
        watcher.task.withLock { $0 = running }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (open, failure) = watcher.state.withLock { ($0.open, $0.failure) }
            if open { return watcher }
            if let failure { throw TestFailure("watcher: WebSocket to :\(port) failed: \(failure)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        watcher.close()
        throw TestFailure("watcher: no WebSocket upgrade from :\(port) within \(timeout)")
    }

    /// Waits for a `video` event with `status` (or an error object); returns it.
    @discardableResult
    func waitFor(_ statuses: Set<String>, timeout: Duration) async throws -> Event {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = everything.first(where: { ($0.op == "video" && statuses.contains($0.status ?? "")) || $0.op == "error" }) {
                return found
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("watcher: no \(statuses.sorted()) within \(timeout); saw \(everything)")
    }

    /// Starts a normal close; the connection task ends once the edge answers it.
    func close() {
        closer.yield()
        closer.finish()
    }

    /// Closes and waits for the connection task.
    func finish() async {
        close()
        await task.withLock { $0 }?.value
    }
}

extension VideoWatcher {
    /// Returns once video events reach watchers on the edge: a probe video gets one-byte PATCHes
    /// until its watcher sees `uploading` progress. A just-started origin joins its event
    /// fan-out group (offset reset `latest`) a few seconds after `/readyz`; events published
    /// before that reach no watcher.
    static func waitForEventFlow(port: Int, token: String, timeout: Duration = .seconds(30)) async throws {
        let tus = TusCurl(port: port)
        let created = try await tus.call("POST", "/videos", token: token, tus: false, json: #"{"title":"probe","size":1000}"#)
        struct Created: Decodable { var id: String; var upload_url: String }
        guard created.status == 201, let probe = try? JSONDecoder().decode(Created.self, from: created.body) else {
            throw TestFailure("probe POST /videos: HTTP \(created.status) \(created.text)")
        }
        let watcher = try await watch(video: probe.id, port: port, token: token)
        let deadline = ContinuousClock.now + timeout
        var offset: Int64 = 0
        while !watcher.events.contains(where: { $0.status == "uploading" && ($0.progress ?? 0) > 0 }) {
            guard ContinuousClock.now < deadline else {
                await watcher.finish()
                throw TestFailure("no video event reached a watcher within \(timeout)")
            }
            let answer = try await tus.patch(probe.upload_url, token: token, offset: offset, bytes: Data([0]))
            if answer.status == 204 { offset += 1 }
            try await Task.sleep(for: .milliseconds(500))
        }
        await watcher.finish()
    }
}
