import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The real PostgreSQL, Redis and Kafka-compatible broker started by `infra/up.sh`
/// (`. .state/<profile>/env.sh`). Missing variables fail the test: no silent skip.
public struct Infra: Sendable {
    public let postgresURL: String
    public let redisURL: String
    public let kafkaBrokers: String
    /// A broker whose log survives its restart (`STREAMLY_KAFKA_DURABLE_BROKERS`; test
    /// profile: Tansu on S3 next to the in-memory one), and its `infra/svc.sh` name.
    public let durableKafkaBrokers: String?
    public let durableKafkaService: String?
    /// The S3-compatible server (`STREAMLY_S3_*`; test profile: nanio, which verifies SigV4).
    public let s3: S3?

    public struct S3: Sendable {
        public let endpoint: String
        public let region: String
        public let accessKey: String
        public let secretKey: String
        /// `STREAMLY_S3_BUCKET`: the profile's bucket (clusters may use one of their own).
        public let bucket: String
    }

    public static func fromEnvironment() throws -> Infra {
        let env = ProcessInfo.processInfo.environment
        let names = ["STREAMLY_POSTGRES_URL", "STREAMLY_REDIS_URL", "STREAMLY_KAFKA_BROKERS"]
        let missing = names.filter { (env[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw TestFailure("""
                Integration tests need the real services: \(missing.joined(separator: ", ")) not set. \
                Run `infra/up.sh --profile test && . .state/test/env.sh` (or --profile dev) before `swift test`.
                """)
        }
        return Infra(postgresURL: env[names[0]]!, redisURL: env[names[1]]!, kafkaBrokers: env[names[2]]!,
                     durableKafkaBrokers: env["STREAMLY_KAFKA_DURABLE_BROKERS"].flatMap { $0.isEmpty ? nil : $0 },
                     durableKafkaService: env["STREAMLY_KAFKA_DURABLE_SERVICE"].flatMap { $0.isEmpty ? nil : $0 },
                     s3: env["STREAMLY_S3_ENDPOINT"].flatMap { endpoint in
                         endpoint.isEmpty ? nil : S3(endpoint: endpoint, region: env["STREAMLY_S3_REGION"] ?? "us-east-1",
                                                     accessKey: env["STREAMLY_S3_ACCESS_KEY"] ?? "",
                                                     secretKey: env["STREAMLY_S3_SECRET_KEY"] ?? "",
                                                     bucket: env["STREAMLY_S3_BUCKET"] ?? "")
                     })
    }

    /// `STREAMLY_INFRA_PROFILE`: the only profile whose services a test may restart.
    public static func profile() throws -> String {
        guard let profile = ProcessInfo.processInfo.environment["STREAMLY_INFRA_PROFILE"], !profile.isEmpty else {
            throw TestFailure("STREAMLY_INFRA_PROFILE is not set: source .state/<profile>/env.sh to run the restart tests")
        }
        return profile
    }

    /// The repository root (for `infra/svc.sh`), found from this file's path.
    public static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// `infra/svc.sh ACTION SERVICE --profile $STREAMLY_INFRA_PROFILE` (start, stop or
    /// restart); returns once the service is down, or answers again.
    public static func service(_ action: String, _ service: String) async throws {
        let script = repository.appendingPathComponent("infra/svc.sh").path
        let (status, output) = try await ChildProcess.run(script, [action, service, "--profile", try profile()])
        guard status == 0 else {
            throw TestFailure("infra/svc.sh \(action) \(service) exited with \(status): \(String(decoding: output, as: UTF8.self))")
        }
    }
}

