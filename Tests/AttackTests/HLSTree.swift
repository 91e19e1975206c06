import Foundation
import IntegrationSupport
import NIOCore
import StreamLyStorage
import StreamLyTokens

/// A small HLS tree (one rendition, three 192 KiB segments) in the cluster's local object
/// store, and a playback token for it. The edge serves objects byte for byte; what the bytes
/// are does not matter to these tests.
struct HLSTree {
    static let secret = "attack-tests-playback-secret-0123456789abcdef"
    let videoID: String
    let token: String
    /// Segment path → size.
    let segmentSizes: [String: Int]
    /// A segment of `largeSegmentBytes` outside the playlist (the slow reader's target), if asked for.
    var largeSegment: String?

    static func make(in cluster: TestCluster, largeSegmentBytes: Int? = nil) async throws -> HLSTree {
        let store = try LocalObjectStore(root: cluster.storageDirectory.path)
        let video = "attack-\(cluster.run)"
        var files: [String: [UInt8]] = [
            "master.m3u8": Array("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240\n360p/index.m3u8\n".utf8),
        ]
        var playlist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n"
        var sizes: [String: Int] = [:]
        for index in 0..<3 {
            let name = "seg_0000\(index).m4s"
            files["360p/\(name)"] = (0..<(192 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            sizes["360p/\(name)"] = 192 << 10
            playlist += "#EXTINF:2.0,\n\(name)\n"
        }
        files["360p/index.m3u8"] = Array((playlist + "#EXT-X-ENDLIST\n").utf8)
        files["360p/init.mp4"] = Array(repeating: 0x11, count: 800)
        if let largeSegmentBytes { files["360p/seg_99999.m4s"] = Array(repeating: 0x5A, count: largeSegmentBytes) }
        for (path, bytes) in files {
            _ = try await store.putObject(key: "vod/\(video)/\(path)", bytes: ByteBuffer(bytes: bytes))
        }
        let codec = try PlaybackTokenCodec(key: Array(secret.utf8))
        return HLSTree(videoID: video, token: codec.sign(videoID: video, lifetime: 3_600), segmentSizes: sizes,
                       largeSegment: largeSegmentBytes.map { _ in "360p/seg_99999.m4s" })
    }
}

extension TestCluster.Options {
    /// An origin serving HLS from its local store and edges with HTTPS, with `edge` added to
    /// the edges' environment (the limits under test).
    static func attack(_ name: String, edge: [String: String], origin: [String: String] = [:]) -> Self {
        var options = Self(name: name, clusterSecret: "attack-tests-cluster-secret-0123456789abcdef")
        options.playbackSecret = HLSTree.secret
        options.https = true
        options.edgeEnvironment = edge
        options.originEnvironment = origin
        return options
    }
}

/// Reads a counter or gauge of a node's Prometheus `/metrics` (summing the series whose
/// labels contain every one of `labels`).
func metric(_ name: String, port: Int, _ labels: [String] = []) async throws -> Double {
    let answer = try await curl("http://127.0.0.1:\(port)/metrics")
    return answer.text.split(separator: "\n").reduce(0) { sum, line in
        guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "),
              labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last.flatMap({ Double($0) })
        else { return sum }
        return sum + value
    }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
func eventually(_ timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
