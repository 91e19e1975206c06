import Foundation
import IntegrationSupport
import StreamLyTokens
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// HLS in the regions world: viewers in each region play a video (ffmpeg, a real HLS client)
/// through their own region's edge; each edge fetches each object from the origins once and
/// serves everything after the warm-up from its cache. Part of `RegionWorldTests`, so the
/// world's tests run one at a time (there is one world per machine).
extension RegionWorldTests {
    static let world = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".state/regions-world")

    /// A 4 s fMP4 HLS tree (1 s segments) from the ffmpeg CLI: relative path → file.
    static func makeHLSTree(in directory: URL) async throws -> [String: URL] {
        let rung = directory.appendingPathComponent("360p")
        try FileManager.default.createDirectory(at: rung, withIntermediateDirectories: true)
        let (status, output) = try await ChildProcess.run("/usr/bin/ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "4",
            "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
            "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
            "-hls_segment_filename", rung.appendingPathComponent("seg_%05d.m4s").path, rung.appendingPathComponent("index.m3u8").path,
        ])
        guard status == 0 else { throw TestFailure("ffmpeg failed: \(String(decoding: output, as: UTF8.self))") }
        let master = directory.appendingPathComponent("master.m3u8")
        try Data("""
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,CODECS="avc1.64000d"
            360p/index.m3u8

            """.utf8).write(to: master)
        var files = ["master.m3u8": master]
        for name in try FileManager.default.contentsOfDirectory(atPath: rung.path) {
            files["360p/\(name)"] = rung.appendingPathComponent(name)
        }
        return files
    }

    /// The sum of `streamly_vod_cache_requests_total{result=…}` on region `region`'s edge.
    static func cacheCount(_ region: String, _ result: String) async throws -> Double {
        let (_, output) = try await ChildProcess.run("/usr/sbin/ip", [
            "netns", "exec", "slr-\(region)-edge", "/usr/bin/curl", "-s", "--max-time", "10", "http://127.0.0.1:9090/metrics",
        ])
        return String(decoding: output, as: UTF8.self).split(separator: "\n").reduce(0) { sum, line in
            guard line.hasPrefix("streamly_vod_cache_requests_total{"), line.contains("result=\"\(result)\""),
                  let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { return sum }
            return sum + value
        }
    }

    /// Plays the master playlist to the end in namespace `host` with ffmpeg (decoding every frame).
    static func play(in host: String, _ url: String) async throws {
        let (status, output) = try await ChildProcess.run("/usr/sbin/ip", [
            "netns", "exec", host, "/usr/bin/ffmpeg", "-hide_banner", "-loglevel", "error", "-i", url, "-f", "null", "-",
        ])
        guard status == 0 else { throw TestFailure("ffmpeg in \(host) could not play \(url): \(String(decoding: output, as: UTF8.self))") }
    }

    @Test("HLS per region: after one warm-up play the edge serves ≥ 95% from its cache, with one origin fetch per object",
          .enabled(if: RegionWorldTests.isSupported, "needs root for network namespaces"))
    func cachedPerRegion() async throws {
        try await RegionWorldTests.withWorld {
            let video = UUID().uuidString.lowercased()
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("regions-hls-\(video.prefix(8))")
            defer { try? FileManager.default.removeItem(at: work) }
            let files = try await Self.makeHLSTree(in: work)
            // Into the core's S3 (nanio checks SigV4: curl signs).
            for (path, file) in files {
                let (status, output) = try await ChildProcess.run("/usr/sbin/ip", [
                    "netns", "exec", "slr-core", "/usr/bin/curl", "-s", "-f", "--aws-sigv4", "aws:amz:us-east-1:s3",
                    "--user", "streamly:streamly-secret", "-T", file.path,
                    "http://127.0.0.1:29000/streamly-media/vod/\(video)/\(path)",
                ])
                guard status == 0 else { throw TestFailure("PUT \(path): \(String(decoding: output, as: UTF8.self))") }
            }
            let secrets = try String(contentsOf: Self.world.appendingPathComponent("secrets.env"), encoding: .utf8)
            let key = try #require(secrets.split(separator: "\n").first { $0.hasPrefix("STREAMLY_AUTH_PLAYBACK_SECRET=") }?
                .split(separator: "=", maxSplits: 1).last.map(String.init))
            let token = try PlaybackTokenCodec(key: Array(key.utf8)).sign(videoID: video, lifetime: 3_600)
            for region in RegionWorldTests.regions {
                let url = "http://10.77.\(region.index).1:8080/vod/\(video)/master.m3u8?token=\(token)"
                // Warm-up: the first viewer's play fills the edge's cache.
                try await Self.play(in: "slr-\(region.name)-c1", url)
                let missesAfterWarmUp = try await Self.cacheCount(region.name, "miss")
                let hitsBefore = try await Self.cacheCount(region.name, "memory_hit") + Self.cacheCount(region.name, "disk_hit")
                // Then both viewers of the region, twice each.
                for _ in 0..<2 {
                    try await Self.play(in: "slr-\(region.name)-c1", url)
                    try await Self.play(in: "slr-\(region.name)-c2", url)
                }
                let misses = try await Self.cacheCount(region.name, "miss") - missesAfterWarmUp
                let hits = try await Self.cacheCount(region.name, "memory_hit") + Self.cacheCount(region.name, "disk_hit") - hitsBefore
                let ratio = hits / max(1, hits + misses)
                print("regions: \(region.name) edge after warm-up: \(Int(hits)) hits, \(Int(misses)) misses (hit ratio "
                      + "\(String(format: "%.3f", ratio))); origin fetches in all \(Int(missesAfterWarmUp + misses)) for \(files.count) objects")
                #expect(hits > 0)
                #expect(ratio >= 0.95)
                // One origin fetch per object on this edge: nothing was fetched twice.
                #expect(missesAfterWarmUp + misses <= Double(files.count))
            }
        }
    }
}
