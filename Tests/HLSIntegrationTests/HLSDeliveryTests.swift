import Foundation
import IntegrationSupport
import StreamLyStorage
import Testing

/// HLS from a real edge and origin: the origin reads a real local object store, the edge
/// serves HTTPS (h2 and http/1.1 by ALPN) and plain HTTP. Clients are curl, nghttp, h2load
/// and ffprobe.
@Suite(.serialized) struct HLSDeliveryTests {
    @Test func hlsOverTLSEndToEnd() async throws {
        try await TestCluster.with(.hls(storage: .local, cache: true), origins: ["hls-o1"],
                                   edges: [("hls-e1", ["hls-o1"])]) { cluster in
            let store = try LocalObjectStore(root: cluster.storageDirectory.path)
            let fixture = try await HLSFixture.make(videoID: "vid-\(cluster.run)", store: store)
            try await checks(cluster: cluster, fixture: fixture, httpsPort: cluster.edges["hls-e1"]!.httpsPort!,
                             stateDirectory: cluster.stateDirectory(edge: "hls-e1").path)
        }
    }

    /// The same tree in the test profile's S3 server (SigV4): the origin streams it from there.
    @Test func hlsFromS3Store() async throws {
        let bucket = try Infra.fromEnvironment().s3?.bucket ?? ""
        try await TestCluster.with(.hls(storage: .s3(bucket: bucket), cache: false), origins: ["hls-s3-o1"],
                                   edges: [("hls-s3-e1", ["hls-s3-o1"])]) { cluster in
            let store = try await S3Client.infra(bucket: bucket)
            let video = "s3vid-\(cluster.run)"
            let fixture = try await HLSFixture.make(videoID: video, store: store)
            let token = fixture.token()
            let base = "https://127.0.0.1:\(cluster.edges["hls-s3-e1"]!.httpsPort!)/vod/\(video)"
            for path in ["master.m3u8", "360p/init.mp4", "360p/seg_00001.m4s", "big/seg_00042.m4s"] {
                let answer = try await curl("\(base)/\(path)?token=\(token)", ["--http2"])
                #expect(answer.status == 200 && answer.httpVersion == "2", "\(path)")
                if !path.hasSuffix(".m3u8") { #expect(answer.bytes == fixture.files[path], "\(path)") }
            }
            let missing = try await curl("\(base)/360p/seg_00777.m4s?token=\(token)", ["--http2"])
            #expect(missing.status == 404)
            for path in fixture.files.keys { try? await store.deleteObject(key: "vod/\(video)/\(path)") }
        }
    }

    func checks(cluster: TestCluster, fixture: HLSFixture, httpsPort: Int, stateDirectory: String) async throws {
        let video = fixture.videoID
        let token = fixture.token()
        let https = "https://127.0.0.1:\(httpsPort)"
        let http = "http://127.0.0.1:\(cluster.port("hls-e1"))"
        let originMetrics = "http://127.0.0.1:\(cluster.origins["hls-o1"]!.operatorPort)/metrics"
        let master = "\(https)/vod/\(video)/master.m3u8?token=\(token)"

        // The self-signed certificate was generated into the state directory.
        #expect(FileManager.default.fileExists(atPath: stateDirectory + "/tls/self-signed/cert.pem"))

        // HTTP/2 by ALPN; the master playlist carries the token on.
        let h2 = try await curl(master, ["--http2"])
        #expect(h2.status == 200 && h2.httpVersion == "2")
        #expect(h2.headers["content-type"] == "application/vnd.apple.mpegurl")
        #expect(String(decoding: h2.body, as: UTF8.self).contains("360p/index.m3u8?token=\(token)"))
        let (_, nghttp) = try await ChildProcess.run("/usr/bin/nghttp", ["-nv", master])
        #expect(String(decoding: nghttp, as: UTF8.self).contains("The negotiated protocol: h2"))

        // HTTP/1.1 on the same port, and on the plain HTTP port.
        let h1 = try await curl(master, ["--http1.1"])
        #expect(h1.status == 200 && h1.httpVersion == "1.1")
        #expect(h1.body == h2.body)
        let plain = try await curl("\(http)/vod/\(video)/master.m3u8?token=\(token)")
        #expect(plain.status == 200 && plain.body == h2.body)

        // Rendition playlist, init and a segment, byte-exact, with their types and caching.
        let media = try await curl("\(https)/vod/\(video)/360p/index.m3u8?token=\(token)", ["--http2"])
        #expect(media.status == 200)
        #expect(String(decoding: media.body, as: UTF8.self).contains("seg_00001.m4s?token=\(token)"))
        #expect(String(decoding: media.body, as: UTF8.self).contains("URI=\"init.mp4?token=\(token)\""))
        let initSegment = try await curl("\(https)/vod/\(video)/360p/init.mp4?token=\(token)", ["--http2"])
        #expect(initSegment.status == 200 && initSegment.bytes == fixture.files["360p/init.mp4"])
        #expect(initSegment.headers["content-type"] == "video/mp4")
        #expect(initSegment.headers["cache-control"] == "public, max-age=31536000, immutable")
        #expect(initSegment.headers["access-control-allow-origin"] == "*")
        #expect(initSegment.headers["accept-ranges"] == "bytes")
        let poster = try await curl("\(https)/vod/\(video)/poster.jpg?token=\(token)")
        #expect(poster.status == 200 && poster.headers["content-type"] == "image/jpeg" && poster.bytes == fixture.files["poster.jpg"])

        // A 3 MiB object streamed over the link in chunks arrives intact.
        let big = try await curl("\(https)/vod/\(video)/big/seg_00042.m4s?token=\(token)", ["--http2"])
        #expect(big.status == 200 && big.bytes == fixture.files["big/seg_00042.m4s"])

        // Range → 206, unsatisfiable → 416, ETag → 304, HEAD, CORS preflight.
        let segmentURL = "\(https)/vod/\(video)/360p/seg_00000.m4s?token=\(token)"
        let segment = fixture.files["360p/seg_00000.m4s"]!
        let partial = try await curl(segmentURL, ["--http2", "-H", "Range: bytes=10-109"])
        #expect(partial.status == 206)
        #expect(partial.headers["content-range"] == "bytes 10-109/\(segment.count)")
        #expect(partial.bytes == Array(segment[10...109]))
        let suffix = try await curl(segmentURL, ["--http1.1", "-H", "Range: bytes=-16"])
        #expect(suffix.status == 206 && suffix.bytes == Array(segment.suffix(16)))
        let unsatisfiable = try await curl(segmentURL, ["-H", "Range: bytes=\(segment.count)-"])
        #expect(unsatisfiable.status == 416 && unsatisfiable.headers["content-range"] == "bytes */\(segment.count)")
        let etag = try #require(initSegment.headers["etag"])
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        let notModified = try await curl("\(https)/vod/\(video)/360p/init.mp4?token=\(token)", ["--http2", "-H", "If-None-Match: \(etag)"])
        #expect(notModified.status == 304 && notModified.body.isEmpty)
        let head = try await curl(segmentURL, ["-I"])
        #expect(head.status == 200 && head.headers["content-length"] == String(segment.count))
        // With -I curl writes the headers where the body would go: no segment bytes follow them.
        #expect(String(decoding: head.body, as: UTF8.self).hasPrefix("HTTP/") && head.body.count < 2_000)
        let preflight = try await curl(segmentURL, ["-X", "OPTIONS", "-H", "Origin: https://player.example",
                                                    "-H", "Access-Control-Request-Method: GET"])
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-origin"] == "*")

        // 200 concurrent HTTP/2 requests for a segment nobody asked for yet: one origin fetch.
        let before = try await metricValue(originMetrics, "streamly_vod_object_requests_total", labels: "result=\"found\"")
        let (_, h2load) = try await ChildProcess.run("/usr/bin/h2load", [
            "-n", "200", "-c", "200", "\(https)/vod/\(video)/360p/seg_00002.m4s?token=\(token)",
        ])
        let loadOutput = String(decoding: h2load, as: UTF8.self)
        #expect(loadOutput.contains("200 succeeded"), "h2load: \(loadOutput)")
        #expect(loadOutput.contains("Application protocol: h2"), "h2load: \(loadOutput)")
        let after = try await metricValue(originMetrics, "streamly_vod_object_requests_total", labels: "result=\"found\"")
        #expect(after - before == 1, "origin fetches for 200 concurrent requests: \(after - before)")

        // Tokens: missing, garbage, expired, another video's → 403 with a JSON error.
        for bad in ["", "?token=garbage", "?token=\(fixture.token(lifetime: -10))", "?token=\(fixture.token(video: "other"))",
                    "?token=\(token.dropLast(2))AA"] {
            let answer = try await curl("\(https)/vod/\(video)/360p/seg_00001.m4s\(bad)", ["--http2"])
            #expect(answer.status == 403, "token \(bad)")
            #expect(String(decoding: answer.body, as: UTF8.self).contains("\"error\""))
        }
        // Traversal and odd names → 404 whatever the token.
        for path in ["360p/../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "360p/seg_1.m4s", "360p/index.m3u8/x",
                     "360p/%2e%2e/master.m3u8", "360p/seg_00099.m4s"] {
            let answer = try await curl("\(https)/vod/\(video)/\(path)?token=\(token)", ["--path-as-is"])
            #expect(answer.status == 404, "path \(path)")
        }
        let traversal = try await curl("\(https)/vod/..%2f..%2f/master.m3u8?token=\(token)", ["--path-as-is"])
        #expect(traversal.status == 404)

        // WebSocket upgrade over TLS on the same port (HTTP/1.1 by ALPN).
        let upgrade = try await curl("\(https)/ws", ["--http1.1", "--max-time", "2", "-H", "Connection: Upgrade",
                                                      "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13",
                                                      "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])
        #expect(upgrade.status == 101)
        // The accept value of RFC 6455 §1.3's example key.
        #expect(upgrade.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")

        // A real player stack follows the rewritten URIs: ffprobe reads the stream through the edge.
        let (probeStatus, probe) = try await ChildProcess.run("/usr/bin/ffprobe", [
            "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", master,
        ])
        #expect(probeStatus == 0 && String(decoding: probe, as: UTF8.self).contains("h264,320,240"),
                "ffprobe: \(String(decoding: probe, as: UTF8.self))")

        // The edge reports its cache.
        let edgeMetrics = "http://127.0.0.1:\(cluster.operatorPort("hls-e1"))/metrics"
        #expect(try await metricValue(edgeMetrics, "streamly_vod_cache_requests_total", labels: "result=\"memory_hit\"") > 0)
        #expect(try await metricValue(edgeMetrics, "streamly_vod_cache_requests_total", labels: "result=\"miss\"") > 0)
    }
}
