import Logging
import StreamLyStorage

/// The object store an origin reads HLS trees (and later uploads) from: a local directory
/// (`storage.backend=local`, the embedded default) or an S3-compatible server (`s3`).
public enum OriginStorage: Sendable, Equatable {
    case local(directory: String)
    case s3(S3Settings)

    /// `s3.*` keys, as infra's env.sh exports them.
    public struct S3Settings: Sendable, Equatable {
        public var endpoint: String
        public var region: String
        public var bucket: String
        public var accessKey: String
        public var secretKey: String
        /// `path` (local servers) or `virtual`.
        public var addressing: String

        public init(endpoint: String, region: String, bucket: String, accessKey: String, secretKey: String, addressing: String) {
            self.endpoint = endpoint
            self.region = region
            self.bucket = bucket
            self.accessKey = accessKey
            self.secretKey = secretKey
            self.addressing = addressing
        }
    }

    /// Opens the store.
    func open(logger: Logger) throws -> any ObjectStore {
        switch self {
        case .local(let directory):
            return try LocalObjectStore(root: directory)
        case .s3(let settings):
            let configuration = try S3Configuration(
                endpoint: settings.endpoint, region: settings.region, bucket: settings.bucket,
                accessKeyID: settings.accessKey, secretAccessKey: settings.secretKey,
                addressingStyle: settings.addressing == "virtual" ? .virtualHosted : .path)
            return S3Client(configuration: configuration, logger: logger)
        }
    }
}
