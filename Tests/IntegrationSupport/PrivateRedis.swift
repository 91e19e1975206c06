import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A Redis server of one test's own, on a free loopback port, for tests that stop or restart
/// Redis: restarting the profile's shared Redis broke every other suite using it at that
/// moment (`swift test` runs suites in parallel). Not persistent; stopped by `stop()`.
public final class PrivateRedis: Sendable {
    public let port: Int
    public var url: String { "redis://127.0.0.1:\(port)" }
    private let directory: URL
    private let process = Mutex<ChildProcess?>(nil)

    private init(port: Int, directory: URL) {
        self.port = port
        self.directory = directory
    }

    /// Starts a server and waits until it accepts connections.
    public static func start(name: String = "redis") async throws -> PrivateRedis {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(name)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let redis = PrivateRedis(port: try freeLoopbackPort(in: 20_000..<30_000), directory: directory)
        try await redis.launch()
        return redis
    }

    /// Stops the server (SIGTERM, as an operator would) and starts it again on the same port;
    /// returns once it accepts connections again.
    public func restart() async throws {
        await terminate()
        try await launch()
    }

    /// Stops the server and removes its folder.
    public func stop() async {
        await terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    private func launch() async throws {
        let server = try ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? { throw TestFailure("redis-server is not installed (infra/install.sh installs it)") }()
        let child = try ChildProcess(server, arguments: [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path,
        ], name: "redis:\(port)", log: directory.appendingPathComponent("redis.log"))
        process.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(20)
        while !PrivateServer.accepts(port) {
            guard child.isRunning, ContinuousClock.now < deadline else {
                throw TestFailure("private Redis on :\(port) did not start\n\(child.logTail())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func terminate() async {
        guard let child = process.withLock({ current -> ChildProcess? in defer { current = nil }; return current }) else { return }
        await child.stop(signal: SIGTERM, grace: .seconds(10))
    }
}
