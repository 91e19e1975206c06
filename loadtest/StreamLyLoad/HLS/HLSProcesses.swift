import ArgumentParser
import Foundation
import StreamLyProcess

/// Child processes of the HLS benchmark: daemons (origin, edge, nginx) are `ChildProcess`es
/// with a log file in the work directory; tools (curl, h2load, wrk) run to completion.
enum BenchTool {
    /// Starts a daemon named `name`, its output in `logDirectory/name.log`.
    static func daemon(_ name: String, executable: String, arguments: [String] = [], environment: [String: String],
                       logDirectory: URL) throws -> ChildProcess {
        try ChildProcess(executable, arguments: arguments, environment: environment, name: name,
                         log: logDirectory.appendingPathComponent("\(name).log"))
    }

    /// Runs `executable` to completion; returns exit status and combined output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let (status, output) = try await ChildProcess.run(executable, arguments)
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// HTTP status of a GET (0 when nothing answers).
    static func status(_ url: String) async -> Int {
        let result = try? await run("/usr/bin/curl", ["-k", "-s", "-o", "/dev/null", "--max-time", "5", "-w", "%{http_code}", url])
        return Int(result?.output ?? "") ?? 0
    }

    /// A free loopback port below the ephemeral range (above the integration tests' range).
    static func freePort() throws -> Int { try freeLoopbackPort(in: 24_000..<30_000) }
}
