import Foundation
import IntegrationSupport
import NIOCore
import StreamLyStorage
import StreamLyTokens

/// A real fMP4 HLS tree (made by the ffmpeg CLI: 4 s of test pattern, 1 s segments) put into
/// an object store under `vod/{id}/`, plus a poster and a large segment.
struct HLSFixture {
    static let secret = "hls-integration-tests-playback-secret-0123456789"
    let videoID: String
    /// Relative path → bytes, as stored.
    var files: [String: [UInt8]] = [:]

    static var codec: PlaybackTokenCodec { try! PlaybackTokenCodec(key: Array(secret.utf8)) }

    func token(video: String? = nil, lifetime: TimeInterval = 3_600) -> String {
        Self.codec.sign(videoID: video ?? videoID, now: Date(), lifetime: lifetime)
    }

    static func make(videoID: String, store: any ObjectStore) async throws -> HLSFixture {
        var fixture = HLSFixture(videoID: videoID)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("hls-fixture-\(UUID().uuidString.prefix(8))")
        let rung = work.appendingPathComponent("360p")
        try FileManager.default.createDirectory(at: rung, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let (status, output) = try await ChildProcess.run("/usr/bin/ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "4",
            "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
            "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
            "-hls_segment_filename", rung.appendingPathComponent("seg_%05d.m4s").path, rung.appendingPathComponent("index.m3u8").path,
        ])
        guard status == 0 else { throw TestFailure("ffmpeg failed: \(String(decoding: output, as: UTF8.self))") }
        for name in try FileManager.default.contentsOfDirectory(atPath: rung.path) {
            fixture.files["360p/\(name)"] = Array(try Data(contentsOf: rung.appendingPathComponent(name)))
        }
        fixture.files["master.m3u8"] = Array("""
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,CODECS="avc1.64000d"
            360p/index.m3u8

            """.utf8)
        fixture.files["poster.jpg"] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x42, count: 1_000) + [0xFF, 0xD9]
        // A large segment (not in any playlist): 3 MiB of a known pattern, streamed in many chunks.
        fixture.files["big/seg_00042.m4s"] = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for (path, bytes) in fixture.files {
            try await store.putObject(key: "vod/\(videoID)/\(path)", bytes: ByteBuffer(bytes: bytes))
        }
        return fixture
    }
}

/// The test profile's S3 server (nanio, SigV4 checked) from `STREAMLY_S3_*`, with its bucket.
func infraS3Store() async throws -> (store: S3Client, environment: [String: String]) {
    let env = ProcessInfo.processInfo.environment
    let names = ["STREAMLY_S3_ENDPOINT", "STREAMLY_S3_REGION", "STREAMLY_S3_BUCKET", "STREAMLY_S3_ACCESS_KEY", "STREAMLY_S3_SECRET_KEY"]
    let missing = names.filter { (env[$0] ?? "").isEmpty }
    guard missing.isEmpty else { throw TestFailure("\(missing.joined(separator: ", ")) not set: source .state/<profile>/env.sh") }
    let configuration = try S3Configuration(endpoint: env[names[0]]!, region: env[names[1]]!, bucket: env[names[2]]!,
                                            accessKeyID: env[names[3]]!, secretAccessKey: env[names[4]]!)
    let store = S3Client(configuration: configuration)
    try await store.createBucket()
    return (store, [
        "STREAMLY_STORAGE_BACKEND": "s3", "STREAMLY_S3_ENDPOINT": env[names[0]]!, "STREAMLY_S3_REGION": env[names[1]]!,
        "STREAMLY_S3_BUCKET": env[names[2]]!, "STREAMLY_S3_ACCESS_KEY": env[names[3]]!, "STREAMLY_S3_SECRET_KEY": env[names[4]]!,
    ])
}

/// One curl run: status line facts and the body.
struct CurlResult {
    var status: Int
    var httpVersion: String
    var headers: [String: String]
    var body: [UInt8]
}

/// Runs curl with `arguments` plus a URL and returns status, protocol version, headers, body.
func curl(_ url: String, _ arguments: [String] = []) async throws -> CurlResult {
    let directory = FileManager.default.temporaryDirectory
    let id = UUID().uuidString.prefix(8)
    let headerFile = directory.appendingPathComponent("hls-h-\(id)").path
    let bodyFile = directory.appendingPathComponent("hls-b-\(id)").path
    defer {
        try? FileManager.default.removeItem(atPath: headerFile)
        try? FileManager.default.removeItem(atPath: bodyFile)
    }
    let (_, output) = try await ChildProcess.run("/usr/bin/curl", [
        "-k", "-s", "--max-time", "20", "-D", headerFile, "-o", bodyFile, "-w", "%{http_code} %{http_version}",
    ] + arguments + [url])
    let facts = String(decoding: output, as: UTF8.self).split(separator: " ")
    var headers: [String: String] = [:]
    let raw = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
    for line in raw.split(whereSeparator: \.isNewline) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return CurlResult(status: facts.first.flatMap { Int($0) } ?? 0, httpVersion: facts.count > 1 ? String(facts[1]) : "",
                      headers: headers, body: Array((try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data()))
}

/// The sum of a Prometheus counter's samples (all label sets matching `labels`) at `url`.
func metricValue(_ url: String, _ name: String, labels: String = "") async throws -> Double {
    let result = try await curl(url)
    return String(decoding: result.body, as: UTF8.self).split(separator: "\n").reduce(0) { sum, line in
        guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "), labels.isEmpty || line.contains(labels),
              let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { return sum }
        return sum + value
    }
}
