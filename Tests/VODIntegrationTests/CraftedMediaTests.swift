import Foundation
import IntegrationSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Media crafted to crash or exhaust a transcoder, uploaded through a real edge to a real
/// origin: each ends `failed` with a readable reason, and the origin keeps serving chat, the
/// same process throughout (transcodes run in worker processes of their own).
@Suite("Crafted media", .serialized)
struct CraftedMediaTests {
    /// A timestamp jump (ffmpeg's `setts`) used to trap in the origin's keyframe arithmetic and
    /// kill it; a 8192×4352 picture is over the default size limit.
    @Test func timestampJumpAndHugeResolutionFailWhileTheOriginServesChat() async throws {
        let media = try MediaTools()
        defer { media.clean() }
        let jump = media.directory.appendingPathComponent("jump.mkv")
        try await MediaTools.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y",
                                            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                                            "-f", "lavfi", "-i", "sine=duration=4", "-c:v", "libx264", "-preset", "ultrafast",
                                            "-c:a", "aac", "-bsf:v", "setts=ts=if(gte(N\\,50)\\,PTS+9300000000000000\\,PTS)",
                                            jump.path])
        let huge = media.directory.appendingPathComponent("huge.mp4")
        try await MediaTools.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y",
                                            "-f", "lavfi", "-i", "color=c=blue:size=8192x4352:rate=1:duration=2",
                                            "-c:v", "libx264", "-preset", "ultrafast", huge.path])
        try await VODCluster.with { cluster in
            let origin = try #require(cluster.origin)
            let pid = origin.pid
            let chat = try await ChatProbe.start(cluster)
            let tus = TusCurl(port: cluster.edgePort)
            for (file, expected) in [(jump, "timestamp jump of 9300000000000"),
                                     (huge, "resolution 8192x4352 exceeds the limit of 4096x4096")] {
                let (_, info) = try await tus.uploadUntilDone(file, title: file.lastPathComponent, timeout: .seconds(120))
                #expect(info.status == "failed", "\(file.lastPathComponent): \(info.status)")
                #expect(info.error?.hasPrefix(expected) == true, "\(file.lastPathComponent): \(info.error ?? "no reason")")
                #expect(info.error?.contains("gave up") == false, "refused at once, not retried: \(info.error ?? "")")
                #expect(origin.isRunning && origin.pid == pid, "the origin is still the same process")
                try await chat.publishAcked()
                print("[vod-it] \(file.lastPathComponent): failed: \(info.error ?? "")")
            }
            #expect(!origin.log.contains("Fatal error"), "no trap in the origin")
            await chat.finish()
        }
    }

    /// The worker process of a job crashes (SIGSEGV, sent by the test) on each attempt: the
    /// attempts are bounded (2 here), the video ends `failed` with a readable reason, and the
    /// origin, its chat and its pid are untouched.
    @Test func crashingWorkerFailsTheJobNotTheOrigin() async throws {
        let media = try MediaTools()
        defer { media.clean() }
        let clip = try await media.clip("720p", seconds: 30, width: 1280, height: 720)
        try await VODCluster.with(originEnvironment: ["STREAMLY_TRANSCODE_MAX_ATTEMPTS": "2"]) { cluster in
            let origin = try #require(cluster.origin)
            let pid = origin.pid
            let chat = try await ChatProbe.start(cluster)
            let tus = TusCurl(port: cluster.edgePort)
            let user = try await tus.signup("crash")
            let video = try await tus.createVideo(title: "crash", file: clip, token: user.token)
            try await tus.upload(clip, to: video.url, token: user.token)

            var killed: Set<Int32> = []
            let deadline = ContinuousClock.now + .seconds(180)
            var info = try await tus.video(video.id, token: user.token)
            while !["ready", "failed"].contains(info.status), ContinuousClock.now < deadline {
                for worker in Self.transcodeWorkers(of: pid) where !killed.contains(worker) {
                    kill(worker, SIGSEGV)
                    killed.insert(worker)
                    print("[vod-it] SIGSEGV to transcode worker \(worker)")
                }
                try await Task.sleep(for: .milliseconds(50))
                info = try await tus.video(video.id, token: user.token)
            }
            #expect(info.status == "failed")
            #expect(killed.count == 2, "one worker process per attempt: \(killed)")
            #expect(info.error == "gave up after 2 attempts: the transcode worker crashed (signal 11, SIGSEGV)",
                    "\(info.error ?? "no reason")")
            #expect(origin.isRunning && origin.pid == pid)
            #expect(Self.transcodeWorkers(of: pid).isEmpty, "no worker left behind")
            try await chat.publishAcked()
            await chat.finish()
        }
    }

    /// A worker allowed 64 MiB past its start-up size (`transcode.worker.max.memory`) cannot
    /// hold a 1080p ladder (decoder, five x264 encoders and their threads): the job ends
    /// `failed` with the out-of-memory reason, at once, and the origin (same pid) keeps serving chat.
    @Test func jobOverTheWorkerMemoryLimitFailsNotTheOrigin() async throws {
        let media = try MediaTools()
        defer { media.clean() }
        let clip = try await media.clip("1080p", seconds: 4, width: 1920, height: 1080)
        try await VODCluster.with(originEnvironment: ["STREAMLY_TRANSCODE_WORKER_MAX_MEMORY": String(64 << 20),
                                                      "STREAMLY_TRANSCODE_MAX_ATTEMPTS": "2"]) { cluster in
            let origin = try #require(cluster.origin)
            let pid = origin.pid
            let chat = try await ChatProbe.start(cluster)
            let tus = TusCurl(port: cluster.edgePort)
            let (_, info) = try await tus.uploadUntilDone(clip, title: "too big for its worker", timeout: .seconds(180))
            print("[vod-it] over the worker memory limit: \(info.status): \(info.error ?? "")")
            #expect(info.status == "failed")
            let reason = info.error ?? ""
            #expect(reason.contains("out of memory: the transcode worker needs more than its limit of 64 MiB (transcode.worker.max.memory)"),
                    "\(reason)")
            #expect(origin.isRunning && origin.pid == pid, "the origin is still the same process")
            #expect(Self.transcodeWorkers(of: pid).isEmpty, "no worker left behind")
            try await chat.publishAcked()
            await chat.finish()
        }
    }

    /// The running `streamly-origin transcode-worker` children of `parent`.
    /// Found by each process's parent (`/proc/<pid>/stat`), not `/proc/<parent>/task/*/children`,
    /// which lists a child under the thread that spawned it and loses it when that thread exits.
    static func transcodeWorkers(of parent: Int32) -> [Int32] {
        let processes = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return processes.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // After "pid (comm)": the state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == parent else { return false }
            let command = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(child)/cmdline"))) ?? Data()
            return String(decoding: command, as: UTF8.self).contains("transcode-worker")
        }
    }
}

/// A chat participant on the cluster's edge: publishes and waits for the ack (durable in the
/// origin's sequencer), proving the origin still serves chat.
struct ChatProbe {
    struct Event: Sendable {
        var op: String
        var id: Int?
        var seq: Int64?
    }

    let client: WebSocketTestClient<Event>
    let channel: String
    let account: REST.Account

    static func start(_ cluster: TestCluster) async throws -> ChatProbe {
        let rest = REST(port: cluster.edgePort)
        let account = try await rest.signup("chat")
        let channel = try await rest.createChannel(account)
        let client = try await WebSocketTestClient<Event>.connect(port: cluster.edgePort, name: "chat-probe") { text in
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let op = object["op"] as? String else { return nil }
            return Event(op: op, id: object["id"] as? Int, seq: (object["seq"] as? NSNumber)?.int64Value)
        }
        client.send(["op": "auth", "token": account.token])
        let probe = ChatProbe(client: client, channel: channel, account: account)
        try await probe.publishAcked()
        return probe
    }

    /// Publishes a message and waits for its ack.
    func publishAcked() async throws {
        let id = client.nextID()
        client.send(["op": "publish", "id": id, "channel": channel, "client_id": "probe-\(id)", "body": "still here \(id)"])
        let answer = try await client.first("ack of \(id)", timeout: .seconds(30)) { $0.id == id }
        #expect(answer.op == "ack" && (answer.seq ?? 0) > 0, "publish \(id): \(answer)")
    }

    func finish() async { await client.finish() }
}
