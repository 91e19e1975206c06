import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Set once, read from any task.
final class AbuseStop: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// The attacks of `streamly-load abuse`. Each runs against the edge for about `seconds` while
/// the good client keeps going, and answers how the edge refused it.
enum AbuseAttack: String, CaseIterable, Sendable {
    case slowloris
    case connectionFlood = "connection-flood"
    case oversizedFrame = "oversized-frame"
    case malformedFrames = "malformed-frames"
    case poisonBody = "poison-body"
    case loginFlood = "login-flood"
    case craftedMedia = "crafted-media"

    struct Target: Sendable {
        var edge: EdgeAddress
        var token: String
        var channel: String
        /// Loopback source address of the attacker's connections (its own, so per-address
        /// caps hit the attacker and not the good client).
        var source: String
        var connections: Int
        var seconds: Double
    }

    func run(_ target: Target) async -> String {
        switch self {
        case .slowloris: return await slowloris(target)
        case .connectionFlood: return await flood(target)
        case .oversizedFrame: return await oversized(target)
        case .malformedFrames: return await malformed(target)
        case .poisonBody: return await poison(target)
        case .loginFlood: return await loginFlood(target)
        case .craftedMedia: return await craftedMedia(target)
        }
    }

    /// Opens a raw TCP connection from `source`; nil if it could not.
    static func open(_ target: Target) async -> (any Channel)? {
        try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .bind(to: try SocketAddress(ipAddress: target.source, port: 0))
            .connect(host: target.edge.host, port: target.edge.port).get()
    }

    /// Partial request heads, one more header line every 500 ms.
    private func slowloris(_ target: Target) async -> String {
        let started = ContinuousClock.now
        var channels: [any Channel] = []
        for _ in 0..<target.connections { if let channel = await Self.open(target) { channels.append(channel) } }
        let refusedAtOnce = await Self.closedWithin(channels, .milliseconds(500))
        for channel in channels { channel.writeAndFlush(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: edge\r\n"), promise: nil) }
        var lifetimes: [Duration] = []
        let closedAt = Mutex<[ObjectIdentifier: ContinuousClock.Instant]>([:])
        for channel in channels {
            channel.closeFuture.whenComplete { _ in closedAt.withLock { $0[ObjectIdentifier(channel)] = .now } }
        }
        while ContinuousClock.now - started < .seconds(target.seconds), channels.contains(where: \.isActive) {
            for channel in channels where channel.isActive { channel.writeAndFlush(ByteBuffer(string: "X-Slow: 1\r\n"), promise: nil) }
            try? await Task.sleep(for: .milliseconds(500))
        }
        let open = channels.filter(\.isActive).count
        lifetimes = closedAt.withLock { Array($0.values) }.map { $0 - started }
        for channel in channels { channel.close(promise: nil) }
        let longest = lifetimes.max().map { String(format: "%.1f s", Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) } ?? "-"
        return "\(channels.count) connected: \(refusedAtOnce) closed at once (caps), \(channels.count - refusedAtOnce - open) at the header deadline (longest \(longest)), \(open) still open"
    }

    /// Connections that send nothing, held for the attack's duration.
    private func flood(_ target: Target) async -> String {
        var channels: [any Channel] = []
        var failed = 0
        for _ in 0..<target.connections {
            if let channel = await Self.open(target) { channels.append(channel) } else { failed += 1 }
        }
        let refused = await Self.closedWithin(channels, .milliseconds(500))
        try? await Task.sleep(for: .seconds(target.seconds))
        let held = channels.filter(\.isActive).count
        for channel in channels { channel.close(promise: nil) }
        return "\(channels.count + failed) attempted: \(refused) closed at once (caps), \(failed) not connected, \(held) held to the end"
    }

    /// A text frame over the edge's `ws.max.frame`.
    private func oversized(_ target: Target) async -> String {
        guard let socket = try? await AbuseWebSocket.connect(target.edge, token: target.token, from: target.source) else {
            return "upgrade refused"
        }
        socket.send(String(repeating: "x", count: 1 << 20))
        let (closed, code) = await socket.closed(timeout: .seconds(10))
        socket.close()
        return closed ? "closed with \(code.map(String.init) ?? "no code")" : "not closed within 10 s"
    }

    /// Non-JSON text, JSON of the wrong shape, an unknown op, then a binary frame.
    private func malformed(_ target: Target) async -> String {
        guard let socket = try? await AbuseWebSocket.connect(target.edge, token: target.token, from: target.source) else {
            return "upgrade refused"
        }
        for text in ["{not json", #"{"op":42}"#, #"{"op":"publish","channel":["x"]}"#, #"{"op":"no-such-op","id":7}"#] {
            socket.send(text)
        }
        try? await Task.sleep(for: .seconds(1))
        let codes = socket.texts.compactMap { text -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  object["op"] as? String == "error" else { return nil }
            return object["code"] as? String
        }
        socket.send("binary", opcode: .binary)
        let (closed, code) = await socket.closed(timeout: .seconds(10))
        socket.close()
        return "errors \(codes.joined(separator: ",")); binary frame: " + (closed ? "closed with \(code.map(String.init) ?? "no code")" : "not closed")
    }

    /// A publish whose body holds U+0000 (can never be stored).
    private func poison(_ target: Target) async -> String {
        guard let socket = try? await AbuseWebSocket.connect(target.edge, token: target.token, from: target.source) else {
            return "upgrade refused"
        }
        socket.send(json: ["op": "publish", "channel": target.channel, "client_id": "poison-1", "body": "a\u{0}b", "id": 1])
        let reply = await socket.reply(id: 1, timeout: .seconds(10))
        socket.close()
        return "answered \(reply?["op"] as? String ?? "nothing") \(reply?["code"] as? String ?? "")"
    }

    /// Logins with a wrong password, 8 at a time.
    private func loginFlood(_ target: Target) async -> String {
        struct Credentials: Encodable { var username: String; var password: String }
        let rest = RESTClient(group: MultiThreadedEventLoopGroup.singleton)
        let body = (try? JSONEncoder().encode(Credentials(username: "abuse-victim", password: "wrong-password"))) ?? Data()
        final class Statuses: Sendable { let counts = Mutex<[Int: Int]>([:]) }
        let statuses = Statuses()
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while ContinuousClock.now - started < .seconds(target.seconds) {
                        let status = (try? await rest.send(.POST, "/api/v1/auth/login", on: target.edge, body: body, token: nil).status) ?? 0
                        statuses.counts.withLock { $0[status, default: 0] += 1 }
                    }
                }
            }
        }
        return statuses.counts.withLock { $0 }.sorted { $0.key < $1.key }
            .map { "\($0.value)× \($0.key == 0 ? "failed" : String($0.key))" }.joined(separator: ", ")
    }

    /// Files made with ffmpeg that once crashed or would swamp an origin: a timestamp jump
    /// (ffmpeg's `setts`) and an 8192×4352 picture.
    static let craftedFiles: [(name: String, arguments: [String])] = [
        ("jump.mkv", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-c:v", "libx264",
                      "-preset", "ultrafast", "-bsf:v", "setts=ts=if(gte(N\\,50)\\,PTS+9300000000000000\\,PTS)"]),
        ("huge.mp4", ["-f", "lavfi", "-i", "color=c=blue:size=8192x4352:rate=1:duration=2", "-c:v", "libx264",
                      "-preset", "ultrafast"]),
    ]

    /// Uploads each crafted file (tus, one PATCH) and waits for the video's final state: each
    /// must end `failed` with a reason, the origin staying up (checked by the caller).
    private func craftedMedia(_ target: Target) async -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-abuse-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        struct Created: Decodable { var id: String; var upload_url: String }
        struct Video: Decodable { var status: String; var error: String? }
        var outcomes: [String] = []
        for (name, arguments) in Self.craftedFiles {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let file = directory.appendingPathComponent(name)
                try VODReadyBenchmark.run("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-y"] + arguments + [file.path])
                let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
                let base = "http://\(target.edge.authority)"
                let bearer = "Authorization: Bearer \(target.token)"
                let created = try JSONDecoder().decode(Created.self, from: try VODReadyBenchmark.curl(
                    ["-X", "POST", "\(base)/api/v1/videos", "-H", bearer, "-H", "Content-Type: application/json",
                     "-d", #"{"title":"crafted \#(name)","size":\#(size)}"#]))
                _ = try VODReadyBenchmark.curl(["-X", "PATCH", created.upload_url, "-H", bearer, "-H", "Tus-Resumable: 1.0.0",
                                            "-H", "Upload-Offset: 0", "-H", "Content-Type: application/offset+octet-stream",
                                            "--data-binary", "@\(file.path)", "-o", "/dev/null"])
                var final = "still \"transcoding\" after 120 s"
                let started = ContinuousClock.now
                while ContinuousClock.now - started < .seconds(120) {
                    let video = try JSONDecoder().decode(Video.self, from: try VODReadyBenchmark.curl(
                        ["\(base)/api/v1/videos/\(created.id)", "-H", bearer]))
                    if video.status == "failed" || video.status == "ready" {
                        final = video.status == "failed" ? "failed: \(video.error ?? "no reason")" : "READY (not refused)"
                        break
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
                outcomes.append("\(name) \(final)")
            } catch {
                outcomes.append("\(name): could not run (\(error))")
            }
        }
        return outcomes.joined(separator: "; ")
    }

    /// How many of `channels` the server closed within `window` of now.
    static func closedWithin(_ channels: [any Channel], _ window: Duration) async -> Int {
        try? await Task.sleep(for: window)
        return channels.filter { !$0.isActive }.count
    }
}
