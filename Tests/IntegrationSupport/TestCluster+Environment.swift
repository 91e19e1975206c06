import Foundation

/// The nodes' configuration (`STREAMLY_*`, docs/configuration.md) and the run's directories.
extension TestCluster {
    public func nodeID(_ name: String) -> String { "\(name)-\(run)" }

    /// Everything of the run on disk, removed by `stopAll`.
    public var directory: URL { FileManager.default.temporaryDirectory.appendingPathComponent("\(options.name)-\(run)") }
    /// The local object store of the origins (`Storage.local`).
    public var storageDirectory: URL { directory.appendingPathComponent("objects") }
    /// An edge's TLS certificate (`tls/`) and HLS cache (`cache/`).
    public func stateDirectory(edge: String) -> URL { directory.appendingPathComponent("edge-\(edge)") }
    /// An origin's transcode scratch space (a killed worker leaves its job's files).
    public func workDirectory(origin: String) -> URL { directory.appendingPathComponent("work-\(origin)") }

    /// The bucket of `Storage.s3`.
    public var bucket: String? {
        guard case .s3(let bucket) = options.storage else { return nil }
        return bucket ?? "\(options.name)-\(run)"
    }

    func originEnvironment(_ name: String, linkPort: Int, operatorPort: Int) -> [String: String] {
        var environment = [
            "STREAMLY_NODE_ID": nodeID(name), "STREAMLY_LINK_PORT": String(linkPort),
            "STREAMLY_OPERATOR_PORT": String(operatorPort), "STREAMLY_CLUSTER_SECRET": options.clusterSecret,
            "STREAMLY_POSTGRES_URL": infra.postgresURL, "STREAMLY_KAFKA_BROKERS": kafkaBrokers,
            // Topics and sequencer group of this cluster alone: clusters of other tests (and
            // origins they SIGKILL) never join its group or share its log.
            "STREAMLY_KAFKA_NAMESPACE": "\(options.name)-\(run)",
            // The shortest session the broker accepts (Kafka's group.min.session.timeout.ms):
            // a SIGKILLed origin's partitions move on after it.
            "STREAMLY_KAFKA_SESSION_TIMEOUT_MS": "6000",
            // noida-db never evicts a group member that died without leaving, and the tests
            // SIGKILL origins: each origin sequences every partition (docs/kafka.md).
            "STREAMLY_CHAT_SEQUENCER_GROUP": "per-origin",
            // As the local profiles (infra/services.sh): noida-db rewrites its whole log every
            // second or so, in a time that follows its size.
            "STREAMLY_KAFKA_TOPIC_CHAT_RETENTION_MS": "10000",
            "STREAMLY_LINK_HEARTBEAT_MS": "500", "STREAMLY_DRAIN_TIMEOUT": "1",
            // Every test client comes from 127.0.0.1 and many sign up or log in the same user:
            // the per-account rates are raised (tests of the limits set their own).
            "STREAMLY_AUTH_ACCOUNT_LOGIN_PER_MINUTE": "100000", "STREAMLY_AUTH_ACCOUNT_REFRESH_PER_MINUTE": "100000",
        ]
        switch options.storage {
        case .local:
            environment["STREAMLY_STORAGE_BACKEND"] = "local"
            environment["STREAMLY_STORAGE_LOCAL_DIR"] = storageDirectory.path
        case .s3:
            let s3 = infra.s3!
            environment.merge([
                "STREAMLY_STORAGE_BACKEND": "s3", "STREAMLY_S3_ENDPOINT": s3.endpoint, "STREAMLY_S3_REGION": s3.region,
                "STREAMLY_S3_BUCKET": bucket!, "STREAMLY_S3_ACCESS_KEY": s3.accessKey, "STREAMLY_S3_SECRET_KEY": s3.secretKey,
                "STREAMLY_S3_CREATE_BUCKET": "true",
            ]) { $1 }
        }
        if let transcode = options.transcode {
            environment.merge([
                "STREAMLY_TRANSCODE_PRESET": transcode.preset, "STREAMLY_TRANSCODE_RETRY_BASE_MS": String(transcode.retryBaseMs),
                "STREAMLY_TRANSCODE_LEASE_SECONDS": String(transcode.leaseSeconds),
                "STREAMLY_TRANSCODE_WORK_DIR": workDirectory(origin: name).path,
            ]) { $1 }
            if let workers = transcode.workers { environment["STREAMLY_TRANSCODE_WORKERS"] = String(workers) }
        }
        if let upload = options.upload {
            environment["STREAMLY_VOD_UPLOAD_PART_BYTES"] = String(upload.partBytes)
            environment["STREAMLY_VOD_UPLOAD_MAX_BYTES"] = String(upload.maxBytes)
        }
        if let secret = options.playbackSecret { environment["STREAMLY_AUTH_PLAYBACK_SECRET"] = secret }
        return environment.merging(options.originEnvironment) { $1 }
    }

    func edgeEnvironment(_ name: String, port: Int, httpsPort: Int?, operatorPort: Int, links: [String]) -> [String: String] {
        let state = stateDirectory(edge: name).path
        var environment = [
            "STREAMLY_NODE_ID": nodeID(name), "STREAMLY_HTTP_PORT": String(port), "STREAMLY_OPERATOR_PORT": String(operatorPort),
            "STREAMLY_ORIGINS": links.joined(separator: ","), "STREAMLY_REDIS_URL": infra.redisURL,
            "STREAMLY_CLUSTER_SECRET": options.clusterSecret, "STREAMLY_LINK_HEARTBEAT_MS": "500",
            "STREAMLY_LINK_BACKOFF_BASE_MS": "50", "STREAMLY_LINK_BACKOFF_MAX_MS": String(options.linkBackoffMaxMs),
            "STREAMLY_DRAIN_TIMEOUT": "1",
            "STREAMLY_HTTPS_ENABLED": httpsPort == nil ? "false" : "true",
            "STREAMLY_VOD_CACHE_DIR": options.hlsCache ? state + "/cache" : "",
            // Every test client comes from 127.0.0.1: the per-IP rates are raised (tests of the
            // limits set their own).
            "STREAMLY_AUTH_IP_SIGNUP_PER_MINUTE": "100000", "STREAMLY_AUTH_IP_LOGIN_PER_MINUTE": "100000",
            "STREAMLY_AUTH_IP_REFRESH_PER_MINUTE": "100000",
        ]
        if let httpsPort {
            environment["STREAMLY_HTTPS_PORT"] = String(httpsPort)
            environment["STREAMLY_HTTPS_STATE_DIR"] = state + "/tls"
        }
        if let upload = options.upload { environment["STREAMLY_VOD_UPLOAD_MAX_BYTES"] = String(upload.maxBytes) }
        if let secret = options.playbackSecret { environment["STREAMLY_AUTH_PLAYBACK_SECRET"] = secret }
        return environment.merging(options.edgeEnvironment) { $1 }
    }

    /// The bytes of an object in the cluster's bucket (`Storage.s3`), fetched with curl's own SigV4.
    public func object(_ key: String) async throws -> (status: Int, bytes: Data) {
        guard let s3 = infra.s3, let bucket else { throw TestFailure("the cluster keeps no objects in S3") }
        let answer = try await curl("\(s3.endpoint)/\(bucket)/\(key)", [
            "--aws-sigv4", "aws:amz:\(s3.region):s3", "--user", "\(s3.accessKey):\(s3.secretKey)",
        ], maxTime: 60)
        return (answer.status, answer.body)
    }
}
