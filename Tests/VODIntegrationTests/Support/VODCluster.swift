import Foundation
import IntegrationSupport

/// The VOD tests' clusters: origins storing uploads in the real S3 server, in a bucket of
/// their own, transcoding quickly, and one edge `vod-edge` linked to all of them with a TLS
/// listener and an HLS cache; every node restartable after a crash on the same ports.
enum VODCluster {
    static let partBytes = 5 << 20
    static let maxBytes = 64 << 20
    static let edge = "vod-edge"

    static func options(transcodeWorkers: Int? = nil, originEnvironment: [String: String] = [:]) -> TestCluster.Options {
        var options = TestCluster.Options(name: "vod-it", clusterSecret: "vod-integration-tests-cluster-secret-0123456789")
        options.storage = .s3(bucket: nil)
        options.playbackSecret = "vod-integration-tests-playback-secret-0123456789"
        options.https = true
        options.hlsCache = true
        // The fastest x264 preset, short retry delays and a short lease (a job of a dead worker
        // is taken again after it).
        options.transcode = .init(preset: "ultrafast", retryBaseMs: 200, leaseSeconds: 6, workers: transcodeWorkers)
        options.upload = .init(partBytes: partBytes, maxBytes: maxBytes)
        options.linkBackoffMaxMs = 300
        options.originEnvironment = ["STREAMLY_LOG_LEVEL": "debug"].merging(originEnvironment) { $1 }
        return options
    }

    /// Origins `vod-origin`, `vod-origin-1`, …: starts all, runs `body`, stops all.
    static func with(origins count: Int = 1, transcodeWorkers: Int? = nil, originEnvironment: [String: String] = [:],
                     _ body: (TestCluster) async throws -> Void) async throws {
        let origins = (0..<count).map { $0 == 0 ? "vod-origin" : "vod-origin-\($0)" }
        try await TestCluster.with(options(transcodeWorkers: transcodeWorkers, originEnvironment: originEnvironment),
                                   origins: origins,
                                   edges: [(edge, origins)], body)
    }
}

extension TestCluster {
    /// The VOD edge's HTTP port and TLS listener (HTTP/2 and HTTP/1.1 by ALPN; self-signed certificate).
    var edgePort: Int { port(VODCluster.edge) }
    var edgeHTTPSPort: Int { edges[VODCluster.edge]!.httpsPort! }
    /// The edge's self-signed certificate and HLS disk cache.
    var edgeDirectory: URL { stateDirectory(edge: VODCluster.edge) }
    /// The first origin.
    var origin: ChildProcess? { origins[originNames[0]]?.process }
}
