import ArgumentParser
import Foundation

/// Child processes of the HLS benchmark: daemons (origin, edge, nginx) stopped with SIGTERM,
/// and tools (curl, h2load, wrk) run to completion with their output captured.
final class BenchDaemon: @unchecked Sendable {
    // @unchecked: only the benchmark's main task touches it.
    let name: String
    let process = Process()
    let log: URL

    init(_ name: String, executable: String, arguments: [String] = [], environment: [String: String], logDirectory: URL) throws {
        self.name = name
        log = logDirectory.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    func stop(signal: Int32 = SIGTERM) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var logTail: String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return "--- \(name) (\(log.path)) ---\n" + text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}

enum BenchTool {
    /// Runs `executable` to completion; returns exit status and combined output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    process.standardError = pipe
                    process.standardInput = FileHandle.nullDevice
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// HTTP status of a GET (0 when nothing answers).
    static func status(_ url: String) async -> Int {
        let result = try? await run("/usr/bin/curl", ["-k", "-s", "-o", "/dev/null", "--max-time", "5", "-w", "%{http_code}", url])
        return Int(result?.output ?? "") ?? 0
    }

    /// A free loopback port below the ephemeral range.
    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 24_000..<30_000)
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
        throw ValidationError("no free port found")
    }
}
