import AsyncHTTPClient
import Foundation
import IntegrationSupport
import NIOCore
import Synchronization

/// The well-behaved client of the attack tests, on 127.0.0.1: one WebSocket that publishes
/// to a channel and waits for each ack, and one kept-alive HTTP connection (AsyncHTTPClient's
/// pool, one connection) that streams an HLS rendition, playlist then segments, again and
/// again. Both are opened before an attack starts; each operation's latency and any failure
/// is recorded by phase.
final class GoodClient: Sendable {
    struct Samples: Sendable {
        var latencies: [Duration] = []
        var failures: [String] = []

        /// The 99th percentile (nearest rank), zero without samples.
        var p99: Duration {
            let sorted = latencies.sorted()
            guard !sorted.isEmpty else { return .zero }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        }
    }

    let chat: WebSocketTestClient<[String: String]>
    let channel: String
    let http: HTTPClient
    let hlsBase: String
    let segments: [String: Int]
    let token: String
    private let phases = Mutex<[String: Samples]>([:])

    private init(chat: WebSocketTestClient<[String: String]>, channel: String, http: HTTPClient, hlsBase: String,
                 segments: [String: Int], token: String) {
        self.token = token
        self.chat = chat
        self.channel = channel
        self.http = http
        self.hlsBase = hlsBase
        self.segments = segments
    }

    /// Signs up, creates a channel, subscribes over `/ws` and fetches the HLS tree once (so
    /// its HTTP connection is open and the edge's cache is warm).
    static func start(port: Int, hls: HLSTree) async throws -> GoodClient {
        let rest = REST(port: port)
        let account = try await rest.signup("good")
        let channel = try await rest.createChannel(account)
        let chat = try await WebSocketTestClient<[String: String]>.connect(port: port, name: "good", queryToken: account.token) { text in
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
            return object.mapValues { "\($0)" }
        }
        let id = chat.nextID()
        chat.send(["op": "subscribe", "channel": channel, "id": id])
        let reply = try await chat.first("subscribed", timeout: .seconds(15)) { $0["id"] == String(id) }
        guard reply["op"] == "subscribed" else { throw TestFailure("good client: subscribe failed: \(reply)") }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(300), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let client = GoodClient(chat: chat, channel: channel, http: http,
                                hlsBase: "http://127.0.0.1:\(port)/vod/\(hls.videoID)", segments: hls.segmentSizes,
                                token: hls.token)
        try await client.round(phase: "warm-up")
        guard client.samples("warm-up").failures.isEmpty else {
            throw TestFailure("good client: warm-up failed: \(client.samples("warm-up").failures)")
        }
        return client
    }

    func samples(_ phase: String) -> Samples { phases.withLock { $0[phase] ?? Samples() } }

    /// Runs rounds (publish → ack, then playlist and segments) for `phase` until `stop` is set.
    func run(phase: String, until stop: StopFlag) async {
        var rounds = 0
        while !stop.isSet || rounds == 0 {
            try? await round(phase: phase)
            rounds += 1
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `count` rounds for `phase`.
    func run(phase: String, rounds count: Int) async throws {
        for _ in 0..<count { try await round(phase: phase) }
    }

    private func record(_ phase: String, _ started: ContinuousClock.Instant, failure: String?) {
        let elapsed = ContinuousClock.now - started
        phases.withLock { phases in
            if let failure { phases[phase, default: Samples()].failures.append(failure) }
            else { phases[phase, default: Samples()].latencies.append(elapsed) }
        }
    }

    private func round(phase: String) async throws {
        // Chat: one publish, answered by its ack.
        var started = ContinuousClock.now
        let id = chat.nextID()
        chat.send(["op": "publish", "channel": channel, "client_id": "good-\(id)", "body": "still here \(id)", "id": id])
        let reply = try await chat.firstIfAny(timeout: .seconds(20)) { $0["id"] == String(id) }
        record(phase, started, failure: reply?["op"] == "ack" ? nil : "publish \(id): \(reply.map { "\($0)" } ?? "no answer")")
        // HLS: the rendition playlist, then each segment, on the kept-alive connection.
        for (path, size) in [("360p/index.m3u8", -1)] + segments.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) {
            started = ContinuousClock.now
            do {
                let response = try await http.execute(HTTPClientRequest(url: "\(hlsBase)/\(path)?token=\(token)"), timeout: .seconds(20))
                let body = try await response.body.collect(upTo: 16 << 20)
                let ok = response.status == .ok && (size < 0 || body.readableBytes == size)
                record(phase, started, failure: ok ? nil : "GET \(path): \(response.status.code), \(body.readableBytes) bytes")
            } catch {
                record(phase, started, failure: "GET \(path): \(error)")
            }
        }
    }

    func stop() async {
        await chat.finish()
        try? await http.shutdown()
    }
}

/// Set once, read from any task.
final class StopFlag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}
