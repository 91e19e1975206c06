import ArgumentParser
import Foundation
import StreamLyProcess

/// `streamly-load vod`: time-to-ready of one upload through a running edge — sign up, create
/// the video, upload the file with tus PATCHes (curl), then poll `GET /videos/{id}` until it is
/// `ready`, timing each phase.
struct VODReadyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vod",
        abstract: "Time-to-ready of an upload (tus → queue → transcode → ready) through a running edge.",
        discussion: """
            Needs a running edge + origin (e.g. infra/run.sh). Generates (or takes --input) a \
            1080p30 clip with audio; uploads it in --chunk-mb PATCHes with curl; polls the video \
            every 100 ms. Prints the phases: upload, waiting in the queue, transcoding, total.
            """
    )

    @Option(help: "Edge base URL.")
    var edge: String = "http://127.0.0.1:8080"

    @Option(help: "Input video; default: a generated 1080p30 clip with a 48 kHz tone.")
    var input: String?

    @Option(help: "Length of the generated clip in seconds.")
    var seconds: Int = 60

    @Option(help: "Bytes per PATCH, in MiB.")
    var chunkMb: Int = 16

    @Option(help: "Give up after this many seconds.")
    var timeout: Int = 1_800

    func validate() throws {
        guard seconds >= 2, chunkMb >= 1, timeout >= 10 else { throw ValidationError("bad --seconds, --chunk-mb or --timeout") }
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-vod-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let source = try input ?? FFmpegCLI.makeSourceClip(in: work, seconds: seconds) { log($0) }
        let file = try Data(contentsOf: URL(fileURLWithPath: source))

        struct Auth: Decodable { var access_token: String }
        struct Created: Decodable { var id: String; var upload_url: String }
        struct Video: Decodable { var status: String; var progress: Double; var error: String?; var duration: Double?
                              var playback_url: String? }
        let user = "bench\(UInt32.random(in: 0...UInt32.max))"
        let auth = try JSONDecoder().decode(Auth.self, from: try Self.curl(
            ["-X", "POST", "\(edge)/api/v1/auth/signup", "-H", "Content-Type: application/json",
             "-d", #"{"username":"\#(user)","password":"benchmark-password"}"#]))
        let bearer = "Authorization: Bearer \(auth.access_token)"
        let created = try JSONDecoder().decode(Created.self, from: try Self.curl(
            ["-X", "POST", "\(edge)/api/v1/videos", "-H", bearer, "-H", "Content-Type: application/json",
             "-d", #"{"title":"time to ready","size":\#(file.count)}"#]))

        let start = ContinuousClock.now
        let chunkBytes = chunkMb << 20
        var offset = 0
        while offset < file.count {
            let chunk = work.appendingPathComponent("chunk")
            try file[offset..<min(offset + chunkBytes, file.count)].write(to: chunk)
            let headers = try Self.curl(["-X", "PATCH", created.upload_url, "-H", bearer, "-H", "Tus-Resumable: 1.0.0",
                                         "-H", "Upload-Offset: \(offset)", "-H", "Content-Type: application/offset+octet-stream",
                                         "--data-binary", "@\(chunk.path)", "-D", "-", "-o", "/dev/null"])
            let text = String(decoding: headers, as: UTF8.self).lowercased()
            guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("upload-offset:") }),
                  let next = Int(line.dropFirst("upload-offset:".count).trimmingCharacters(in: .whitespaces)), next > offset
            else { throw ValidationError("PATCH at \(offset) failed: \(text.prefix(300))") }
            offset = next
        }
        let uploaded = ContinuousClock.now
        var transcodingAt: ContinuousClock.Instant?
        var final: Video?
        while ContinuousClock.now - start < .seconds(timeout) {
            let video = try JSONDecoder().decode(Video.self, from: try Self.curl(
                ["\(edge)/api/v1/videos/\(created.id)", "-H", bearer]))
            if video.status == "transcoding", transcodingAt == nil { transcodingAt = ContinuousClock.now }
            if video.status == "ready" || video.status == "failed" {
                final = video
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let end = ContinuousClock.now
        guard let final else { throw ValidationError("not ready after \(timeout) s") }
        guard final.status == "ready" else { throw ValidationError("the video failed: \(final.error ?? "?")") }

        func value(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        func format(_ duration: Duration) -> String { String(format: "%.2f s", value(duration)) }
        let media = final.duration ?? Double(seconds)
        let totalSeconds = value(end - start)
        let uploadSeconds = max(0.001, value(uploaded - start))
        print("""
            Time to ready: \(String(format: "%.1f", media)) s 1080p30 clip, \(String(format: "%.1f", Double(file.count) / 1_048_576)) MiB, \
            through \(edge) (video \(created.id))
              upload (tus, \(chunkMb) MiB PATCHes)   \(format(uploaded - start))  (\(String(format: "%.1f", Double(file.count) / 1_048_576 / uploadSeconds)) MiB/s)
              queued → transcoding             \(format((transcodingAt ?? uploaded) - uploaded))
              transcoding → ready              \(format(end - (transcodingAt ?? uploaded)))
              total: upload start → ready      \(format(end - start))  (\(String(format: "%.2f", totalSeconds / media))× the media duration)
              playback (e.g. `streamly-load abuse --hls`): \(final.playback_url ?? "-")
            """)
    }

    private func log(_ text: String) {
        FileHandle.standardError.write(Data("[vod] \(text)\n".utf8))
    }

    /// Runs curl and returns its standard output; fails on transport errors and HTTP ≥ 400.
    static func curl(_ arguments: [String]) throws -> Data {
        try run("/usr/bin/curl", ["-sS", "--fail-with-body"] + arguments)
    }

    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> Data {
        let (status, data) = try ChildProcess.runBlocking(path, arguments)
        guard status == 0 else {
            throw ValidationError("\(path) \(arguments.prefix(3).joined(separator: " ")) … failed (\(status)): "
                                  + String(decoding: data.prefix(300), as: UTF8.self))
        }
        return data
    }
}
