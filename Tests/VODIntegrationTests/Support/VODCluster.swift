import Foundation
import IntegrationSupport

/// One real `streamly-origin` (storing uploads in the real S3 server, in a bucket of its
/// own) and one real `streamly-edge`, restartable after a crash on the same ports.
final class VODCluster: @unchecked Sendable {
    // @unchecked: the daemons change only in the test task that owns the cluster.
    static let secret = "vod-integration-tests-cluster-secret-0123456789"
    static let partBytes = 5 << 20
    static let maxBytes = 64 << 20

    let infra: Infra
    let s3: Infra.S3
    let run = UUID().uuidString.prefix(6).lowercased()
    var bucket: String { "vod-it-\(run)" }
    let linkPort: Int
    let operatorPort: Int
    let edgePort: Int
    private(set) var origin: Daemon?
    private(set) var edge: Daemon?

    init() throws {
        infra = try Infra.fromEnvironment()
        guard let s3 = infra.s3 else {
            throw TestFailure("STREAMLY_S3_ENDPOINT is not set: source .state/<profile>/env.sh (infra/up.sh)")
        }
        self.s3 = s3
        linkPort = try freePort()
        operatorPort = try freePort()
        edgePort = try freePort()
    }

    /// Starts both, runs `body`, stops both (printing the logs' tails if `body` threw).
    static func with(_ body: (VODCluster) async throws -> Void) async throws {
        let cluster = try VODCluster()
        do {
            try cluster.startOrigin()
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

    func startOrigin() throws {
        origin = try Daemon("streamly-origin", name: "vod-origin-\(run)", environment: [
            "STREAMLY_NODE_ID": "vod-origin-\(run)", "STREAMLY_LINK_PORT": String(linkPort),
            "STREAMLY_OPERATOR_PORT": String(operatorPort), "STREAMLY_CLUSTER_SECRET": Self.secret,
            "STREAMLY_POSTGRES_URL": infra.postgresURL, "STREAMLY_KAFKA_BROKERS": infra.kafkaBrokers,
            "STREAMLY_KAFKA_NAMESPACE": "vod-it-\(run)", "STREAMLY_KAFKA_SESSION_TIMEOUT_MS": "2000",
            "STREAMLY_KAFKA_FETCH_WAIT_MAX_MS": "5",
            "STREAMLY_STORAGE_BACKEND": "s3", "STREAMLY_S3_ENDPOINT": s3.endpoint, "STREAMLY_S3_REGION": s3.region,
            "STREAMLY_S3_BUCKET": bucket, "STREAMLY_S3_ACCESS_KEY": s3.accessKey, "STREAMLY_S3_SECRET_KEY": s3.secretKey,
            "STREAMLY_S3_CREATE_BUCKET": "true",
            "STREAMLY_VOD_UPLOAD_PART_BYTES": String(Self.partBytes), "STREAMLY_VOD_UPLOAD_MAX_BYTES": String(Self.maxBytes),
            "STREAMLY_LINK_HEARTBEAT_MS": "500", "STREAMLY_DRAIN_TIMEOUT": "1", "STREAMLY_LOG_LEVEL": "debug",
        ])
    }

    func startEdge() throws {
        edge = try Daemon("streamly-edge", name: "vod-edge-\(run)", environment: [
            "STREAMLY_NODE_ID": "vod-edge-\(run)", "STREAMLY_HTTP_PORT": String(edgePort),
            "STREAMLY_ORIGINS": "127.0.0.1:\(linkPort)", "STREAMLY_REDIS_URL": infra.redisURL,
            "STREAMLY_CLUSTER_SECRET": Self.secret, "STREAMLY_LINK_HEARTBEAT_MS": "500",
            "STREAMLY_LINK_BACKOFF_BASE_MS": "50", "STREAMLY_LINK_BACKOFF_MAX_MS": "300", "STREAMLY_DRAIN_TIMEOUT": "1",
            "STREAMLY_VOD_UPLOAD_MAX_BYTES": String(Self.maxBytes),
        ])
    }

    /// Waits until the origin and the edge (its link and Redis up) answer `/readyz` 200.
    func waitReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        for url in ["http://127.0.0.1:\(operatorPort)/readyz", "http://127.0.0.1:\(edgePort)/readyz"] {
            while try await httpStatus(url) != 200 {
                guard ContinuousClock.now < deadline else { throw TestFailure("\(url) not ready within \(timeout)") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func stopAll() async {
        await edge?.stop()
        await origin?.stop()
    }

    func logTails() -> String {
        [origin, edge].compactMap { $0?.logTail }.joined(separator: "\n")
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
