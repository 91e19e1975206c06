import Logging
import StreamLyLink
import StreamLyStorage
import StreamLyConfig

/// Where an origin keeps media and attachments (`storage.backend`): a local directory (the
/// embedded default, for one-machine runs) or any S3-compatible server.
public enum StorageConfiguration: Sendable {
    /// `storage.local.dir`.
    case local(directory: String)
    /// `s3.*`; `createBucket` (`s3.create.bucket`) creates the bucket at start-up if missing.
    case s3(S3Configuration, createBucket: Bool)

    public static let defaultLocalDirectory = ".state/objects"

    init(_ values: ConfigValues) throws {
        switch values.string("storage.backend", default: "local") {
        case "local":
            self = .local(directory: values.string("storage.local.dir", default: Self.defaultLocalDirectory))
        case "s3":
            guard let endpoint = values.optionalString("s3.endpoint") else {
                throw ConfigurationError("configuration storage.backend=s3 needs s3.endpoint")
            }
            let addressing: S3Configuration.AddressingStyle
            switch values.string("s3.addressing", default: "path") {
            case "path": addressing = .path
            case "virtual": addressing = .virtualHosted
            case let other:
                throw ConfigurationError("configuration s3.addressing=\(other) must be path or virtual")
            }
            do {
                self = .s3(try S3Configuration(
                    endpoint: endpoint, region: values.string("s3.region", default: "us-east-1"),
                    bucket: values.string("s3.bucket", default: "streamly-media"),
                    accessKeyID: values.string("s3.access.key", default: ""),
                    secretAccessKey: values.string("s3.secret.key", default: ""),
                    addressingStyle: addressing), createBucket: try values.bool("s3.create.bucket", default: false))
            } catch let error as S3Error {
                throw ConfigurationError("configuration s3.*: \(error.message)")
            }
        case let other:
            throw ConfigurationError("configuration storage.backend=\(other) must be local or s3")
        }
    }

    /// Opens the store (creating the directory or, if asked and possible, the bucket).
    func makeStore(logger: Logger) async throws -> any ObjectStore {
        switch self {
        case .local(let directory):
            return try LocalObjectStore(root: directory)
        case .s3(let configuration, let createBucket):
            var logger = logger
            logger[metadataKey: "bucket"] = "\(configuration.bucket)"
            let client = S3Client(configuration: configuration, logger: logger)
            if createBucket {
                do { try await client.createBucket() } catch {
                    // Not fatal: the server may be starting; requests fail (and are retried) until it is up.
                    logger.warning("cannot create the S3 bucket", metadata: ["error": "\(error)"])
                }
            }
            return client
        }
    }
}
