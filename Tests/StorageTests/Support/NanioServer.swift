import AsyncHTTPClient
import Foundation
import NIOCore
import StreamLyProcess
import StreamLyStorage
import Testing

/// The test profile's real S3 server (nanio, which verifies SigV4 headers and presigned URLs),
/// from `STREAMLY_S3_ENDPOINT` and friends (`infra/up.sh --profile test` writes them). Each
/// suite run gets a fresh bucket, so runs never see each other's objects.
struct NanioServer: Sendable {
    static let defaultAccessKey = "streamly"
    static let defaultSecretKey = "streamly-secret"

    @TaskLocal static var current: NanioServer?

    let endpoint: String
    let region: String
    let accessKey: String
    let secretKey: String
    let bucket: String

    /// A client for the run's bucket, optionally with another secret key or bucket.
    func client(secretKey: String? = nil, bucket: String? = nil) throws -> S3Client {
        S3Client(configuration: try S3Configuration(
            endpoint: endpoint, region: region, bucket: bucket ?? self.bucket,
            accessKeyID: accessKey, secretAccessKey: secretKey ?? self.secretKey))
    }

    static func start() async throws -> NanioServer {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["STREAMLY_S3_ENDPOINT"] else {
            throw Failure("STREAMLY_S3_ENDPOINT is not set: run `infra/up.sh --profile test` and source .state/test/env.sh")
        }
        let server = NanioServer(
            endpoint: endpoint, region: environment["STREAMLY_S3_REGION"] ?? "us-east-1",
            accessKey: environment["STREAMLY_S3_ACCESS_KEY"] ?? defaultAccessKey,
            secretKey: environment["STREAMLY_S3_SECRET_KEY"] ?? defaultSecretKey,
            bucket: "storage-test-\(UUID().uuidString.prefix(8).lowercased())")
        try await server.client().createBucket()
        return server
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Runs a suite against the S3 server with one fresh bucket for all its tests (`NanioServer.current`).
struct NanioTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let server = try await NanioServer.start()
        try await NanioServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == NanioTrait {
    static var nanio: Self { Self() }
}
/// `/usr/bin/curl` as a third-party client: returns the status and body.
func curl(_ arguments: [String]) throws -> (status: Int, body: [UInt8]) {
    let bodyFile = FileManager.default.temporaryDirectory.path + "/streamly-curl-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: bodyFile) }
    let (_, status) = try ChildProcess.runBlocking("/usr/bin/curl", ["-s", "-o", bodyFile, "-w", "%{http_code}"] + arguments)
    let body = FileManager.default.contents(atPath: bodyFile).map(Array.init) ?? []
    return (Int(String(decoding: status, as: UTF8.self)) ?? 0, body)
}
