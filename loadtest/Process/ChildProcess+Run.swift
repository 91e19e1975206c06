import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tools run to completion (curl, ffmpeg, h2load, `infra/svc.sh`) with their output captured.
extension ChildProcess {
    /// Runs `path` to completion, blocking the calling thread; returns its exit status
    /// (128 + the signal if killed) and output: standard output, and standard error too unless
    /// `errorLog` names a file for it (so that output parsed as JSON stays clean).
    public static func runBlocking(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                                   errorLog: URL? = nil) throws -> (status: Int32, output: Data) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let pid = try spawn(path, arguments, environment: environment, output: output.path, error: errorLog?.path)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (exitStatus(status), (try? Data(contentsOf: output)) ?? Data())
    }

    /// `runBlocking` on a thread of its own, off the cooperative pool.
    public static func run(_ path: String, _ arguments: [String],
                           environment: [String: String]? = nil) async throws -> (status: Int32, output: Data) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(path, arguments, environment: environment) })
            }
        }
    }
}
