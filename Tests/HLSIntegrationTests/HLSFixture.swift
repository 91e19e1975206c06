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

extension S3Client {
    /// The test profile's S3 server (nanio, which checks SigV4), on `bucket`, created if missing.
    static func infra(bucket: String) async throws -> S3Client {
        guard let s3 = try Infra.fromEnvironment().s3, !bucket.isEmpty else {
            throw TestFailure("STREAMLY_S3_* not set: source .state/<profile>/env.sh")
        }
        let store = S3Client(configuration: try S3Configuration(endpoint: s3.endpoint, region: s3.region, bucket: bucket,
                                                                accessKeyID: s3.accessKey, secretAccessKey: s3.secretKey))
        try await store.createBucket()
        return store
    }
}

extension TestCluster.Options {
    /// An origin reading HLS trees from `storage` and edges serving them over HTTPS (h2 and
    /// http/1.1 by ALPN) and plain HTTP, with an HLS disk cache if `cache`.
    static func hls(storage: TestCluster.Storage, cache: Bool) -> Self {
        var options = Self(name: "hls-it", clusterSecret: "hls-integration-tests-cluster-secret-0123456789")
        options.storage = storage
        options.playbackSecret = HLSFixture.secret
        options.https = true
        options.hlsCache = cache
        return options
    }
}
