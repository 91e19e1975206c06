import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real `streamly-*` process started by a test, with its output in a log file.
public final class Daemon: Sendable {
    public let name: String
    public let pid: pid_t
    public let logURL: URL
    /// The exit status once the process has been reaped.
    private let exit = Mutex<Int32?>(nil)

    /// Where the built executables are: `STREAMLY_BIN_DIR`, else next to the test bundle.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["STREAMLY_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Starts `executable` with the parent's environment minus its `STREAMLY_*` variables
    /// (so `LD_LIBRARY_PATH` passes through) plus `environment`.
    public init(_ executable: String, name: String, environment: [String: String]) throws {
        self.name = name
        let binary = Self.binDirectory.appendingPathComponent(executable)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("\(binary.path) is missing: build with `swift build --build-tests` first")
        }
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-it-\(name)-\(UUID().uuidString.prefix(8)).log")
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STREAMLY_") }
        env.merge(environment) { $1 }
        pid = try ChildProcess.spawn(binary.path, [], environment: env, output: logURL)
    }

    public var isRunning: Bool {
        exit.withLock { exit in
            guard exit == nil else { return false }
            var status: Int32 = 0
            switch waitpid(pid, &status, WNOHANG) {
            case 0: return true
            case pid: exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            default: exit = -1  // reaped elsewhere (ECHILD): gone all the same
            }
            return false
        }
    }

    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
    /// The last lines of the log, for failure messages.
    public var logTail: String { "--- \(name) (\(logURL.path)) ---\n" + log.split(separator: "\n").suffix(30).joined(separator: "\n") }

    public func signal(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return isRunning ? nil : exit.withLock { $0 }
    }

    /// SIGKILL, as a crash would.
    public func crash() async {
        guard isRunning else { return }
        signal(SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
    }

    /// SIGTERM (so an origin leaves its Kafka groups cleanly), SIGKILL after `grace`.
    public func stop(grace: Duration = .seconds(10)) async {
        guard isRunning else { return }
        signal(SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            print("[it] \(name) ignored SIGTERM for \(grace); killing it")
            await crash()
        }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A loopback port below the ephemeral range that nothing listens on right now.
public func freePort() throws -> Int {
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

/// The status of a GET with curl (0 when nothing answers).
public func httpStatus(_ url: String) async throws -> Int {
    let (_, output) = try await ChildProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "--max-time", "3", "-w", "%{http_code}", url])
    return Int(String(decoding: output, as: UTF8.self)) ?? 0
}
