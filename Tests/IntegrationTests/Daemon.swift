import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `streamly-*` process started by a test, with its output in a log file.
final class Daemon: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns the daemon.
    let name: String
    let process = Process()
    let logURL: URL

    /// Where the built executables are: `STREAMLY_BIN_DIR`, else next to the test bundle.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["STREAMLY_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    init(_ executable: String, name: String, environment: [String: String]) throws {
        self.name = name
        let binary = Self.binDirectory.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("\(binary.path) is missing: build with `swift build --build-tests` first")
        }
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-it-\(name)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = binary
        // Keep the infrastructure's addresses (infra/up.sh → env.sh), drop every other setting.
        let infrastructure: Set<String> = ["STREAMLY_POSTGRES_URL", "STREAMLY_KAFKA_BROKERS", "STREAMLY_REDIS_URL"]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STREAMLY_") || infrastructure.contains($0.key) }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process if it still runs.
    func stop() async {
        guard process.isRunning else { return }
        signal(SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback port below the ephemeral range that nothing listens on right now.
func freePort() throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 17_000..<24_000)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    throw TestFailure("no free port found")
}

/// A GET with curl (a real client); returns status and body.
func httpGet(_ url: String) throws -> (status: Int, body: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = ["-s", "--max-time", "5", "-w", "\n%{http_code}", url]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard let newline = output.lastIndex(of: "\n") else { return (0, output) }
    return (Int(output[output.index(after: newline)...]) ?? 0, String(output[..<newline]))
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(timeout: Duration, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}
