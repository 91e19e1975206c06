import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes without `Foundation.Process`: `posix_spawn` with a clean signal mask
/// and `waitpid` on the child's own pid.
///
/// `Foundation.Process` passes on the test process's blocked signals (a Redis started by
/// `infra/svc.sh` would ignore SIGTERM), and with many processes spawned from concurrent
/// tests its `waitUntilExit` was seen to hang on a child that had exited (a zombie nobody
/// reaped). `POSIX_SPAWN_SETSIGMASK`/`SETSIGDEF` reset the signals.
public enum ChildProcess {
    /// Starts `path` with `arguments` and `environment` (nil: this process's), stdout and
    /// stderr appended to `output` (nil: /dev/null). Returns the pid.
    public static func spawn(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                      output: URL? = nil) throws -> pid_t {
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
        posix_spawn_file_actions_addopen(&actions, 1, output?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard result == 0 else { throw TestFailure("posix_spawn \(path): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Runs `path` to completion off the cooperative pool; returns its exit status and output.
    public static func run(_ path: String, _ arguments: [String]) async throws -> (status: Int32, output: Data) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-it-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let pid = try spawn(path, arguments, output: output)
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
        return (status, (try? Data(contentsOf: output)) ?? Data())
    }
}
