import Foundation
import StreamLyOriginNative
import StreamLyProcess
import StreamLyTranscode
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs one transcode in a worker process of its own (`TranscodeWorkerProcess`: the same
/// executable with the hidden `transcode-worker` subcommand), so nothing a crafted input does
/// to libavcodec, libx264 or the ladder can take the origin down with it. The origin
/// supervises it: progress and the outcome arrive over a pipe (JSON lines), a worker that runs
/// past `timeout` or whose job is cancelled is killed (SIGKILL), and a worker that dies without
/// an answer becomes a `TranscodeProcessError` with a readable reason. A worker may grow its
/// address space by at most `maxMemoryBytes` past its start-up size (`RLIMIT_AS`, which it
/// sets on itself and reports): an input that needs more fails with `out of memory: …`,
/// never taking the origin's memory.
struct TranscodeProcess: Sendable {
    /// Ladder, codec and packaging settings and input limits of every job.
    var configuration: TranscodeConfiguration
    /// The executable to start: this one (`/proc/self/exe`) unless a test says otherwise.
    var executable: String = "/proc/self/exe"
    /// Longest run of one attempt (`transcode.timeout.seconds`).
    var timeout: Duration
    /// libav* log level of the workers.
    var ffmpegLogLevel: FFmpeg.LogLevel = .error
    /// Address space each worker may add to its start-up size (`transcode.worker.max.memory`); nil: none.
    var maxMemoryBytes: Int?

    /// Transcodes `input` into `outputDirectory` in a worker process; the job file goes in
    /// `work`. Throws `OriginNativeError` as the worker reported it (e.g. `.invalidMedia` with
    /// the reason), `TranscodeProcessError` when the worker crashed or ran too long, and
    /// `.cancelled` when the calling task was cancelled (the worker is killed).
    func transcode(input: String, outputDirectory: String, work: String,
                   progress: @escaping @Sendable (Double) -> Void) async throws -> TranscodeResult {
        let jobFile = work + "/job.json"
        let job = TranscodeWorkerJob(input: input, output: outputDirectory, configuration: configuration,
                                     parentPID: getpid(), ffmpegLogLevel: ffmpegLogLevel.rawValue,
                                     maxMemoryBytes: maxMemoryBytes)
        do {
            try JSONEncoder().encode(job).write(to: URL(fileURLWithPath: jobFile))
        } catch {
            throw OriginNativeError(code: .io, message: "cannot write \(jobFile): \(error)")
        }
        let (worker, readEnd) = try Self.spawnLock.withLock { _ in try spawn(jobFile: jobFile) }
        let lines = PipeLines.read(readEnd)
        let memory = WorkerMemory()
        enum Ending: Sendable {
            case answered(TranscodeWorkerMessage?)
            case timedOut
        }
        let ending = await withTaskCancellationHandler {
            await withTaskGroup(of: Ending?.self) { group in
                group.addTask {
                    // The last line is the answer; progress lines before it are passed on.
                    var answer: TranscodeWorkerMessage?
                    for await line in lines {
                        guard let message = try? JSONDecoder().decode(TranscodeWorkerMessage.self, from: Data(line.utf8))
                        else { continue }
                        if let value = message.progress {
                            progress(value)
                        } else if let limit = message.addressSpaceLimit {
                            memory.limit.store(limit, ordering: .relaxed)
                        } else {
                            answer = message
                        }
                    }
                    return .answered(answer)
                }
                group.addTask {
                    // The worker's address space, sampled: a crash after it used most of its allowance was the limit.
                    while !Task.isCancelled {
                        if let size = Self.addressSpace(of: worker.pid) { _ = memory.peak.max(size, ordering: .relaxed) }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    return nil
                }
                group.addTask {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return nil }
                    worker.signal(SIGKILL)
                    return .timedOut
                }
                var first: Ending?
                while let next = await group.next() {
                    guard let next else { continue }
                    first = next
                    break
                }
                group.cancelAll()
                return first
            }
        } onCancel: {
            worker.signal(SIGKILL)
        }
        var status = await worker.waitForExit(timeout: .seconds(10))
        if status == nil {
            worker.signal(SIGKILL)
            status = await worker.waitForExit(timeout: .seconds(10))
        }
        if Task.isCancelled { throw OriginNativeError(code: .cancelled, message: "transcode cancelled") }
        if case .answered(let answer) = ending {
            if let result = answer?.result, status == 0 { return result }
            if let failure = answer?.error {
                throw OriginNativeError(code: .init(encoded: failure.code), message: failure.message)
            }
        }
        if case .timedOut = ending {
            throw TranscodeProcessError(reason: "transcoding took longer than the limit of \(timeout) (transcode.timeout.seconds)")
        }
        let crash = "the transcode worker \(Self.describe(status))"
        let limit = memory.limit.load(ordering: .relaxed)
        if let allowance = maxMemoryBytes, status.map({ $0 > 128 }) ?? false,
           memory.peak.load(ordering: .relaxed) >= limit - allowance / 2 {
            throw TranscodeProcessError(reason: Self.outOfMemory(limit: allowance, detail: crash))
        }
        throw TranscodeProcessError(reason: crash)
    }

    /// The reason of a job that ran out of its worker's memory: "out of memory: the transcode
    /// worker needs more than its limit of 256 MiB (transcode.worker.max.memory): <detail>"
    /// (`limit`: the allowance past its start-up size).
    static func outOfMemory(limit: Int, detail: String) -> String {
        "out of memory: the transcode worker needs more than its limit of \(limit >> 20) MiB "
            + "(transcode.worker.max.memory): \(detail)"
    }

    /// The address space (`VmSize`, or with `peak` its high-water mark `VmPeak`) of process
    /// `pid` in bytes, nil when it cannot be read.
    static func addressSpace(of pid: pid_t, peak: Bool = false) -> Int? {
        let field = peak ? "VmPeak:" : "VmSize:"
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kib << 10
    }

    /// Held while a pipe is made and a worker started: the Glibc module has no `pipe2`, so the
    /// pipe's ends get `FD_CLOEXEC` after `pipe`, and no other worker may be spawned in between
    /// (it would inherit them and keep the pipe open after this worker exits).
    static let spawnLock = Mutex(())

    /// Starts the worker with its standard output on a new pipe; returns it and the pipe's read end.
    private func spawn(jobFile: String) throws -> (ChildProcess, Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw OriginNativeError(code: .io, message: "pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        do {
            let worker = try ChildProcess(executable, arguments: ["transcode-worker", "--job", jobFile],
                                          environment: Self.workerEnvironment(), name: "transcode-worker",
                                          standardOutput: ends[1])
            close(ends[1])
            return (worker, ends[0])
        } catch {
            close(ends[0])
            close(ends[1])
            throw TranscodeProcessError(reason: "cannot start the transcode worker: \(error)")
        }
    }

    /// This process's environment without the `STREAMLY_*` configuration (and its secrets),
    /// with glibc's malloc held to 2 arenas: each arena reserves 64 MiB of address space, and
    /// the worker's limit (`RLIMIT_AS`) should measure memory used rather than threads started;
    /// and without the Swift runtime's backtracer, so a crashed worker ends at once with its
    /// signal: the backtracer catches SIGSEGV and the like, and after a SIGSEGV sent to a
    /// worker (by an operator or the tests) it printed a backtrace and let the worker run on
    /// to a finished transcode, and in another process it hung ("failed to suspend thread").
    /// The origin reports the signal (`describe`).
    static func workerEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STREAMLY_") }
        environment["MALLOC_ARENA_MAX"] = environment["MALLOC_ARENA_MAX"] ?? "2"
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return environment
    }

    /// "crashed (signal 11, SIGSEGV)", "exited with status 2".
    static func describe(_ status: Int32?) -> String {
        guard let status else { return "did not exit" }
        guard status > 128 else { return "exited with status \(status) without an answer" }
        let signal = status - 128
        let name = [SIGSEGV: "SIGSEGV", SIGILL: "SIGILL", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
                    SIGKILL: "SIGKILL", SIGTRAP: "SIGTRAP", SIGTERM: "SIGTERM"][signal]
        return "crashed (signal \(signal)\(name.map { ", \($0)" } ?? ""))"
    }
}

/// What the origin saw of a worker's memory: the `RLIMIT_AS` it reported and the largest
/// address space sampled while it ran.
private final class WorkerMemory: Sendable {
    let limit = Atomic(Int.max)
    let peak = Atomic(0)
}

/// A transcode worker process that ended without an answer: it crashed, was killed, could not
/// start, or ran past its time limit. Retried like any other failed attempt.
struct TranscodeProcessError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// The lines a worker writes into a pipe, read on a thread of their own (blocking reads) and
/// handed over as a stream that ends when the worker closes its end. A line longer than
/// `maxLine` ends the stream (the worker's answers are far smaller).
enum PipeLines {
    static let maxLine = 64 << 20

    static func read(_ descriptor: Int32) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        Thread.detachNewThread {
            defer {
                close(descriptor)
                continuation.finish()
            }
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }
                pending.append(contentsOf: chunk[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
                guard pending.count <= maxLine else { return }
            }
        }
        return stream
    }
}
