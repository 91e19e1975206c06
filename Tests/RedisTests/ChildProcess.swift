import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper script with a clean signal mask.
///
/// `Foundation.Process` passes on the test process's blocked signals, so a Redis started by
/// `infra/svc.sh` from a test would ignore SIGTERM (and the next restart would wait 20 s for
/// SIGKILL). `posix_spawn` with `POSIX_SPAWN_SETSIGMASK`/`SETSIGDEF` resets them.
enum ChildProcess {
    struct SpawnError: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "posix_spawn failed: \(String(cString: strerror(errno)))" }
    }

    /// Runs `path` with `arguments`, waiting off the cooperative pool; returns the exit status.
    static func run(_ path: String, _ arguments: [String]) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(path, arguments) })
            }
        }
    }

    private static func runBlocking(_ path: String, _ arguments: [String]) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, nil, &attributes, argv, environ)
        guard result == 0 else { throw SpawnError(errno: result) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xff
    }
}
