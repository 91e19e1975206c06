import Foundation
import IntegrationSupport

/// Real `streamly-origin`s (storing uploads in the real S3 server, in a bucket of their
/// own, sharing one Kafka namespace) and one real `streamly-edge` linked to all of them, each
/// restartable after a crash on the same ports.
final class VODCluster: @unchecked Sendable {
    // @unchecked: the daemons change only in the test task that owns the cluster.
    static let secret = "vod-integration-tests-cluster-secret-0123456789"
    static let partBytes = 5 << 20
    static let maxBytes = 64 << 20
    /// HMAC key of playback tokens, the same on the edge and every origin.
    static let playbackSecret = "vod-integration-tests-playback-secret-0123456789"
    /// Transcode settings that keep tests quick and cheap: the fastest x264 preset, short
    /// retry delays and a short lease (a job of a dead worker is taken again after it).
    static let transcodeEnvironment = [
        "STREAMLY_TRANSCODE_PRESET": "ultrafast", "STREAMLY_TRANSCODE_RETRY_BASE_MS": "200",
        "STREAMLY_TRANSCODE_LEASE_SECONDS": "6",
    ]

    let infra: Infra
    let s3: Infra.S3
    let run = UUID().uuidString.prefix(6).lowercased()
    var bucket: String { "vod-it-\(run)" }
    let linkPorts: [Int]
    let operatorPorts: [Int]
    let edgePort: Int
    /// The edge's TLS listener (HTTP/2 and HTTP/1.1 by ALPN; self-signed certificate).
    let edgeHTTPSPort: Int
    /// Added to every origin's environment (e.g. `STREAMLY_TRANSCODE_WORKERS`).
    let originEnvironment: [String: String]
    private(set) var origins: [Daemon?]
    private(set) var edge: Daemon?

    var linkPort: Int { linkPorts[0] }
    var operatorPort: Int { operatorPorts[0] }
    var origin: Daemon? { origins[0] }

    init(origins count: Int = 1, originEnvironment: [String: String] = [:]) throws {
        infra = try Infra.fromEnvironment()
        guard let s3 = infra.s3 else {
            throw TestFailure("STREAMLY_S3_ENDPOINT is not set: source .state/<profile>/env.sh (infra/up.sh)")
        }
        self.s3 = s3
        linkPorts = try (0..<count).map { _ in try freePort() }
        operatorPorts = try (0..<count).map { _ in try freePort() }
        edgePort = try freePort()
        edgeHTTPSPort = try freePort()
        self.originEnvironment = originEnvironment
        origins = Array(repeating: nil, count: count)
    }

    /// Starts all, runs `body`, stops all (printing the logs' tails if `body` threw).
    static func with(origins: Int = 1, originEnvironment: [String: String] = [:],
                     _ body: (VODCluster) async throws -> Void) async throws {
        let cluster = try VODCluster(origins: origins, originEnvironment: originEnvironment)
        do {
            for index in 0..<origins { try cluster.startOrigin(index) }
            try cluster.startEdge()
            try await cluster.waitReady()
            try await body(cluster)
        } catch {
            print(cluster.logTails())
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    func nodeID(_ index: Int) -> String { index == 0 ? "vod-origin-\(run)" : "vod-origin-\(run)-\(index)" }

    /// An origin's transcode scratch space (removed by `stopAll`: a killed worker leaves its job's files).
    func workDirectory(_ index: Int) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-\(run)-\(index)")
    }

    /// The edge's self-signed certificate and HLS disk cache.
    var edgeDirectory: URL { FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-\(run)-edge") }

    func startOrigin(_ index: Int = 0) throws {
        var environment = [
            "STREAMLY_NODE_ID": nodeID(index), "STREAMLY_LINK_PORT": String(linkPorts[index]),
            "STREAMLY_OPERATOR_PORT": String(operatorPorts[index]), "STREAMLY_CLUSTER_SECRET": Self.secret,
            "STREAMLY_POSTGRES_URL": infra.postgresURL, "STREAMLY_KAFKA_BROKERS": infra.kafkaBrokers,
            "STREAMLY_KAFKA_NAMESPACE": "vod-it-\(run)", "STREAMLY_KAFKA_SESSION_TIMEOUT_MS": "2000",
            "STREAMLY_KAFKA_FETCH_WAIT_MAX_MS": "5",
            "STREAMLY_STORAGE_BACKEND": "s3", "STREAMLY_S3_ENDPOINT": s3.endpoint, "STREAMLY_S3_REGION": s3.region,
            "STREAMLY_S3_BUCKET": bucket, "STREAMLY_S3_ACCESS_KEY": s3.accessKey, "STREAMLY_S3_SECRET_KEY": s3.secretKey,
            "STREAMLY_S3_CREATE_BUCKET": "true",
            "STREAMLY_VOD_UPLOAD_PART_BYTES": String(Self.partBytes), "STREAMLY_VOD_UPLOAD_MAX_BYTES": String(Self.maxBytes),
            "STREAMLY_LINK_HEARTBEAT_MS": "500", "STREAMLY_DRAIN_TIMEOUT": "1", "STREAMLY_LOG_LEVEL": "debug",
            "STREAMLY_TRANSCODE_WORK_DIR": workDirectory(index).path,
            "STREAMLY_AUTH_PLAYBACK_SECRET": Self.playbackSecret,
        ]
        environment.merge(Self.transcodeEnvironment) { $1 }
        environment.merge(originEnvironment) { $1 }
        origins[index] = try Daemon("streamly-origin", name: nodeID(index), environment: environment)
    }

    func startEdge() throws {
        edge = try Daemon("streamly-edge", name: "vod-edge-\(run)", environment: [
            "STREAMLY_NODE_ID": "vod-edge-\(run)", "STREAMLY_HTTP_PORT": String(edgePort),
            "STREAMLY_ORIGINS": linkPorts.map { "127.0.0.1:\($0)" }.joined(separator: ","),
            "STREAMLY_REDIS_URL": infra.redisURL,
            "STREAMLY_CLUSTER_SECRET": Self.secret, "STREAMLY_LINK_HEARTBEAT_MS": "500",
            "STREAMLY_LINK_BACKOFF_BASE_MS": "50", "STREAMLY_LINK_BACKOFF_MAX_MS": "300", "STREAMLY_DRAIN_TIMEOUT": "1",
            "STREAMLY_VOD_UPLOAD_MAX_BYTES": String(Self.maxBytes),
            "STREAMLY_HTTPS_PORT": String(edgeHTTPSPort), "STREAMLY_HTTPS_STATE_DIR": edgeDirectory.path + "/tls",
            "STREAMLY_VOD_CACHE_DIR": edgeDirectory.path + "/cache", "STREAMLY_AUTH_PLAYBACK_SECRET": Self.playbackSecret,
        ])
    }

    /// Waits until the running origins and the edge (its link and Redis up) answer `/readyz` 200.
    func waitReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        let running = operatorPorts.indices.filter { origins[$0]?.isRunning == true }
        for url in running.map({ "http://127.0.0.1:\(operatorPorts[$0])/readyz" }) + ["http://127.0.0.1:\(edgePort)/readyz"] {
            while try await httpStatus(url) != 200 {
                guard ContinuousClock.now < deadline else { throw TestFailure("\(url) not ready within \(timeout)") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func stopAll() async {
        await edge?.stop()
        for origin in origins { await origin?.stop() }
        for index in origins.indices { try? FileManager.default.removeItem(at: workDirectory(index)) }
        try? FileManager.default.removeItem(at: edgeDirectory)
    }

    func logTails() -> String {
        (origins + [edge]).compactMap { $0?.logTail }.joined(separator: "\n")
    }

    /// The bytes of an object in the cluster's bucket, fetched with curl's own SigV4.
    func object(_ key: String) async throws -> (status: Int, bytes: Data) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-object-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let (_, output) = try await ChildProcess.run("/usr/bin/curl", [
            "-s", "--max-time", "60", "-o", file.path, "-w", "%{http_code}",
            "--aws-sigv4", "aws:amz:\(s3.region):s3", "--user", "\(s3.accessKey):\(s3.secretKey)",
            "\(s3.endpoint)/\(bucket)/\(key)",
        ])
        return (Int(String(decoding: output, as: UTF8.self)) ?? 0, (try? Data(contentsOf: file)) ?? Data())
    }
}
