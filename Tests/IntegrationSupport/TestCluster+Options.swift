import Foundation

extension TestCluster {
    /// What a test needs of its cluster beyond the defaults every test shares (loopback
    /// ports, per-run node ids, Kafka namespace and directories, quick heartbeats and drain).
    public struct Options: Sendable {
        /// Names the run's Kafka namespace, directories and bucket: `<name>-<run>`.
        public var name: String
        /// The inter-tier link secret of this cluster.
        public var clusterSecret: String
        /// Origins use the profile's durable broker (`STREAMLY_KAFKA_DURABLE_BROKERS`).
        public var durableBroker = false
        public var storage = Storage.local
        /// `auth.playback.secret` on every node: HMAC key of playback tokens.
        public var playbackSecret: String?
        /// Every edge gets a TLS listener (a port of its own, a self-signed certificate in its
        /// state directory); otherwise HTTPS is off.
        public var https = false
        /// Every edge gets an HLS disk cache in its state directory; otherwise none.
        public var hlsCache = false
        /// Transcoding on the origins (each with a work directory of its own); nil: defaults.
        public var transcode: Transcode?
        /// Upload limits (`vod.upload.*`) on origins and edges; nil: defaults.
        public var upload: Upload?
        /// Edges' link reconnect backoff ceiling.
        public var linkBackoffMaxMs = 500
        /// Added to every origin's environment, and to every edge's.
        public var originEnvironment: [String: String] = [:]
        public var edgeEnvironment: [String: String] = [:]

        public init(name: String, clusterSecret: String) {
            self.name = name
            self.clusterSecret = clusterSecret
        }
    }

    /// Where origins keep objects.
    public enum Storage: Sendable {
        /// A directory of the run (`storageDirectory`), removed at the end.
        case local
        /// The profile's S3 server (`Infra.s3`), in `bucket` (nil: a bucket of the run,
        /// `<name>-<run>`, created by the origins).
        case s3(bucket: String?)
    }

    /// Quick and cheap transcoding: the x264 preset, retry delays and job lease.
    public struct Transcode: Sendable {
        public var preset: String
        public var retryBaseMs: Int
        public var leaseSeconds: Int
        public var workers: Int?

        public init(preset: String, retryBaseMs: Int, leaseSeconds: Int, workers: Int? = nil) {
            self.preset = preset
            self.retryBaseMs = retryBaseMs
            self.leaseSeconds = leaseSeconds
            self.workers = workers
        }
    }

    public struct Upload: Sendable {
        public var partBytes: Int
        public var maxBytes: Int

        public init(partBytes: Int, maxBytes: Int) {
            self.partBytes = partBytes
            self.maxBytes = maxBytes
        }
    }
}
