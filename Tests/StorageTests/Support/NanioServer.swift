import AsyncHTTPClient
import Foundation
import NIOCore
import StreamLyStorage
import Testing

/// A real nanio S3 server (it verifies SigV4 and presigned URLs) on a free loopback port in
/// 27200-27299 with a fresh data directory, started once per suite by the `.nanio` trait.
/// `@unchecked Sendable`: the `Process` is touched only by `start` and `stop`, which the trait
/// calls once each, one after the other.
final class NanioServer: @unchecked Sendable {
    static let executable = "/work/main/.state/venv/bin/nanio"
    static let accessKey = "streamly"
    static let secretKey = "streamly-secret"
    static let bucket = "streamly-test"

    @TaskLocal static var current: NanioServer?

    let port: Int
    let dataDirectory: String
    private let process: Process

    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, dataDirectory: String, process: Process) {
        self.port = port
        self.dataDirectory = dataDirectory
        self.process = process
    }

    /// A client for the test bucket, optionally with another secret key.
    func client(secretKey: String = NanioServer.secretKey, bucket: String = NanioServer.bucket) throws -> S3Client {
        S3Client(configuration: try S3Configuration(
            endpoint: endpoint, region: "us-east-1", bucket: bucket,
            accessKeyID: Self.accessKey, secretAccessKey: secretKey))
    }

    static func start() async throws -> NanioServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure("nanio not found at \(executable): run infra/ setup (pip install nanio into .state/venv)")
        }
        var lastError = "no free port"
        for port in (27200...27299).shuffled().prefix(8) where await !answers(port: port) {
            let directory = FileManager.default.temporaryDirectory.path + "/streamly-nanio-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            let log = directory + "/nanio.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["serve", "--data-dir", directory + "/data", "--host", "127.0.0.1", "--port", String(port),
                                 "--region", "us-east-1", "--no-access-log"]
            var environment = ProcessInfo.processInfo.environment
            environment["NANIO_ACCESS_KEY"] = accessKey
            environment["NANIO_SECRET_KEY"] = secretKey
            process.environment = environment
            process.standardOutput = FileHandle(forWritingAtPath: log)
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            let server = NanioServer(port: port, dataDirectory: directory, process: process)
            for _ in 0..<150 where process.isRunning {
                if await answers(port: port) {
                    try await server.client().createBucket()
                    return server
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            lastError = (try? String(contentsOfFile: log, encoding: .utf8)) ?? "no log"
            server.stop()
        }
        throw Failure("nanio did not start on a port in 27200-27299: \(lastError)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Whether anything answers HTTP on the port.
    static func answers(port: Int) async -> Bool {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(1))
            _ = try await response.body.collect(upTo: 1 << 20)
            return true
        } catch {
            return false
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Runs a suite with one nanio server for all its tests (`NanioServer.current`).
struct NanioTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let server = try await NanioServer.start()
        defer { server.stop() }
        try await NanioServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == NanioTrait {
    static var nanio: Self { Self() }
}

/// `/usr/bin/curl` as a third-party client: returns the status and body.
func curl(_ arguments: [String]) throws -> (status: Int, body: [UInt8]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    let bodyFile = FileManager.default.temporaryDirectory.path + "/streamly-curl-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: bodyFile) }
    process.arguments = ["-s", "-o", bodyFile, "-w", "%{http_code}"] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let status = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let body = FileManager.default.contents(atPath: bodyFile).map(Array.init) ?? []
    return (Int(String(decoding: status, as: UTF8.self)) ?? 0, body)
}
