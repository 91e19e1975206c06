import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One server process of a test's own, on a free loopback port, in a folder of its own: the
/// Kafka-protocol broker (`PrivateBroker`) or PostgreSQL (`PrivatePostgres`). Tests that crash
/// or restart a service use one of these, never the profile's shared one (`swift test` runs
/// suites in parallel). The folder outlives restarts and crashes; `stop()` removes it.
public final class PrivateServer: Sendable {
    public let port: Int
    public let directory: URL
    private let name: String
    private let command: @Sendable (_ port: Int, _ directory: URL) throws -> (path: String, arguments: [String])
    private let process = Mutex<ChildProcess?>(nil)

    init(name: String, port: Int, directory: URL,
         command: @escaping @Sendable (Int, URL) throws -> (path: String, arguments: [String])) {
        self.name = name
        self.port = port
        self.directory = directory
        self.command = command
    }

    /// Starts the server and waits until it accepts TCP connections.
    public func start(timeout: Duration = .seconds(90)) async throws {
        let (path, arguments) = try command(port, directory)
        let child = try ChildProcess(path, arguments: arguments, name: "\(name):\(port)",
                                     log: directory.appendingPathComponent("\(name).log"))
        process.withLock { $0 = child }
        let deadline = ContinuousClock.now + timeout
        while !Self.accepts(port) {
            guard child.isRunning, ContinuousClock.now < deadline else {
                throw TestFailure("private \(name) on :\(port) did not start\n\(child.logTail())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGKILL, as a crash would (nothing flushed, no goodbye to clients).
    public func crash() async {
        await take()?.crash()
    }

    /// Stops with `signal` (SIGKILL after 10 s).
    public func terminate(signal: Int32 = SIGTERM) async {
        await take()?.stop(signal: signal, grace: .seconds(10))
    }

    /// Stops the server and removes its folder.
    public func stop(signal: Int32 = SIGTERM) async {
        await terminate(signal: signal)
        try? FileManager.default.removeItem(at: directory)
    }

    public func logTail() -> String {
        process.withLock { $0 }?.logTail() ?? "--- \(name): not running ---"
    }

    private func take() -> ChildProcess? {
        process.withLock { current in
            defer { current = nil }
            return current
        }
    }

    static func folder(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(name)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return connectLoopback(fd, port: port)
    }
}

/// A Kafka-protocol broker of one test's own: noida-db (installed by `infra/install.sh` into
/// `.state/venv`) behind `infra/noida_fetch_hold.py` (fetches held as Kafka holds them; a SIGKILL
/// of it kills noida-db too), as the infra profiles run it. Its log is on disk in the server's
/// folder, so a crash and a start keep what it had flushed (noida-db loses its last ~0.25 s of
/// acknowledged writes on SIGKILL).
public enum PrivateBroker {
    public static func start() async throws -> PrivateServer {
        let binary = try noidaBinary()
        let python = Infra.repository.appendingPathComponent(".state/venv/bin/python").path
        let hold = Infra.repository.appendingPathComponent("infra/noida_fetch_hold.py").path
        let server = PrivateServer(name: "noida-db", port: try freeLoopbackPort(in: 20_000..<30_000),
                                   directory: try PrivateServer.folder("broker")) { port, directory in
            (python, [hold, binary, "127.0.0.1", String(port), directory.appendingPathComponent("data").path])
        }
        try await server.start()
        return server
    }

    /// The native binary in the noida-db wheel (not its Python launcher, which forks it).
    static func noidaBinary() throws -> String {
        let lib = Infra.repository.appendingPathComponent(".state/venv/lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for python in pythons.sorted() where python.hasPrefix("python3") {
            let path = lib.appendingPathComponent("\(python)/site-packages/noida_db/noida-db").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("noida-db is not installed in \(lib.path) (run infra/install.sh)")
    }
}

/// PostgreSQL 15 of one test's own: a fresh cluster (`initdb`, trust authentication on
/// loopback TCP, `fsync` off) run as the `postgres` user (it refuses root), reached as
/// `postgres://postgres@127.0.0.1:<port>/postgres`. Restarts keep the data.
public enum PrivatePostgres {
    static let bin = "/usr/lib/postgresql/15/bin"

    public static func start() async throws -> PrivateServer {
        let directory = try PrivateServer.folder("postgres")
        let data = directory.appendingPathComponent("data")
        // postgres runs as its own user: it must own the folder (the temporary directory
        // above it is world-traversable).
        try await run("/bin/chown", ["postgres:postgres", directory.path])
        try await run("/usr/sbin/runuser", ["-u", "postgres", "--", "\(bin)/initdb", "-D", data.path, "-U", "postgres",
                                            "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
        let server = PrivateServer(name: "postgres", port: try freeLoopbackPort(in: 20_000..<30_000),
                                   directory: directory) { port, directory in
            // setpriv execs postgres itself (runuser would stay as its parent), so signals
            // and SIGKILL reach the postmaster.
            ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--",
                                  "\(bin)/postgres", "-D", directory.appendingPathComponent("data").path,
                                  "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                                  "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200"])
        }
        try await server.start()
        return server
    }

    public static func url(_ server: PrivateServer) -> String { "postgres://postgres@127.0.0.1:\(server.port)/postgres" }

    private static func run(_ path: String, _ arguments: [String]) async throws {
        let (status, output) = try await ChildProcess.run(path, arguments)
        guard status == 0 else {
            throw TestFailure("\(path) \(arguments.joined(separator: " ")) exited with \(status): \(String(decoding: output, as: UTF8.self))")
        }
    }
}
