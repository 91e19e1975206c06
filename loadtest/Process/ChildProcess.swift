import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and a clean signal mask, its standard output
/// and error appended to a log file, reaped with `waitpid` on its own pid.
///
/// `Foundation.Process` passes on the parent's blocked signals (a Redis started by
/// `infra/svc.sh` would ignore SIGTERM), and with many processes spawned from concurrent
/// tasks its `waitUntilExit` was seen to hang on a child that had exited (a zombie nobody
/// reaped). `POSIX_SPAWN_SETSIGMASK`/`SETSIGDEF` reset the signals. This is the repository's
/// one process runner: the load tool and the integration tests both use it.
public final class ChildProcess: Sendable {
    public let name: String
    public let pid: pid_t
    /// Where standard output and error go (nil: /dev/null).
    public let logURL: URL?
    /// The exit status once the process has been reaped.
    private let exit = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments` and `environment` (nil: this process's), standard input
    /// from /dev/null, standard output and error appended to `log`.
    public init(_ path: String, arguments: [String] = [], environment: [String: String]? = nil,
                name: String? = nil, log: URL? = nil) throws {
        self.name = name ?? URL(fileURLWithPath: path).lastPathComponent
        logURL = log
        pid = try Self.spawn(path, arguments, environment: environment, output: log?.path ?? "/dev/null")
    }

    /// Starts `path` with standard output into the descriptor `standardOutput` (e.g. the write
    /// end of a pipe the caller reads), standard input from /dev/null and standard error shared
    /// with this process (so a worker's diagnostics land in its parent's log).
    public init(_ path: String, arguments: [String], environment: [String: String]?, name: String,
                standardOutput: Int32) throws {
        self.name = name
        logURL = nil
        pid = try Self.spawn(path, arguments, environment: environment, output: "/dev/null",
                             outputDescriptor: standardOutput)
    }

    public var isRunning: Bool {
        exit.withLock { exit in
            guard exit == nil else { return false }
            var status: Int32 = 0
            switch waitpid(pid, &status, WNOHANG) {
            case 0: return true
            case pid: exit = Self.exitStatus(status)
            default: exit = -1  // reaped elsewhere (ECHILD): gone all the same
            }
            return false
        }
    }

    /// Everything the process wrote so far.
    public var log: String { logURL.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "" }
    /// The last `lines` lines of the log, headed by the name, for failure messages.
    public func logTail(lines: Int = 30) -> String {
        "--- \(name) (\(logURL?.path ?? "no log")) ---\n" + log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    public func signal(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// Waits for the process to exit; returns its status (128 + signal if killed), or nil on timeout.
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

    /// `signal` (SIGTERM: a server drains and leaves its groups cleanly), SIGKILL after `grace`.
    public func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(10)) async {
        guard isRunning else { return }
        self.signal(signal)
        if await waitForExit(timeout: grace) == nil {
            print("[process] \(name) ignored signal \(signal) for \(grace); killing it")
            await crash()
        }
    }

    /// The exit code of a normal exit, 128 + the signal of a killed process.
    static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// `posix_spawn` with a clean signal mask and default dispositions, standard input from
    /// /dev/null, standard output appended to `output`, standard error to `error` (nil: to `output`).
    /// With `outputDescriptor`, standard output is that descriptor instead and standard error is
    /// inherited.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String]?, output: String,
                      error: String? = nil, outputDescriptor: Int32? = nil) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let outputDescriptor {
            posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        if outputDescriptor != nil, error == nil {
            // Standard error stays this process's.
        } else if let error {
            posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard result == 0 else { throw ProcessError("posix_spawn \(path): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// A child process that could not be started, or a tool that failed.
public struct ProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
