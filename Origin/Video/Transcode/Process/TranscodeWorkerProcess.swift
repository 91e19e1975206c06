import Foundation
import StreamLyOriginNative
import StreamLyTranscode
#if canImport(Glibc)
import Glibc
#endif

/// The worker side of a transcode process: `streamly-origin transcode-worker --job FILE`
/// (a hidden subcommand, started by `TranscodeProcess`). It reads the job, runs the ladder
/// (`Transcoder`) and reports on its standard output, one `TranscodeWorkerMessage` per line;
/// diagnostics go to standard error, which is the origin's. Whatever the input does to it
/// (a trap, a crash in a C library, running out of memory) ends only this process.
///
/// It exits 0 after a result, 1 after an error line, and at once (status 3) when its parent
/// origin is gone (the pipe closes, or the parent pid changes), so it never runs orphaned.
public enum TranscodeWorkerProcess {
    /// Runs the job in `jobFile`; returns the process's exit status.
    public static func run(jobFile: String) async -> Int32 {
        let job: TranscodeWorkerJob
        do {
            guard let data = FileManager.default.contents(atPath: jobFile) else {
                throw OriginNativeError(code: .io, message: "cannot read the job file \(jobFile)")
            }
            job = try JSONDecoder().decode(TranscodeWorkerJob.self, from: data)
        } catch {
            emit(.error(code: OriginNativeError.Code.io.name, message: "bad job file: \(error)"))
            return 1
        }
        FFmpeg.logLevel = FFmpeg.LogLevel(rawValue: job.ffmpegLogLevel) ?? .error
        watchParent(job.parentPID)
        var addressSpaceLimit: Int?
        if let allowance = job.maxMemoryBytes {
            do {
                let limit = try limitAddressSpace(adding: allowance)
                addressSpaceLimit = limit
                emit(.addressSpaceLimit(limit))
            } catch {
                emit(.error(code: OriginNativeError.Code.io.name, message: (error as? OriginNativeError)?.message ?? "\(error)"))
                return 1
            }
        }
        do {
            let result = try await Transcoder(configuration: job.configuration)
                .transcode(input: job.input, outputDirectory: job.output) { emit(.progress($0)) }
            emit(.result(result))
            return 0
        } catch let error as OriginNativeError {
            if let allowance = job.maxMemoryBytes, let limit = addressSpaceLimit,
               isOutOfMemory(error) || (TranscodeProcess.addressSpace(of: getpid(), peak: true) ?? 0) >= limit - allowance / 2 {
                // An allocation failed, or one failed in a library that says less (a thread or
                // an encoder that could not start) after the job used most of its allowance.
                // Under its limit the same input runs out of memory again: a permanent failure.
                emit(.error(code: OriginNativeError.Code.invalidMedia.name,
                            message: TranscodeProcess.outOfMemory(limit: allowance, detail: error.message)))
            } else {
                emit(.error(code: error.code.name, message: error.message))
            }
            return 1
        } catch {
            emit(.error(code: OriginNativeError.Code.io.name, message: "\(error)"))
            return 1
        }
    }

    /// Caps this process's address space (`RLIMIT_AS`, soft and hard) at its present size plus
    /// `allowance`, and returns the cap: past it allocations fail (FFmpeg answers `ENOMEM`; the
    /// Swift runtime traps, which the origin reports as a crash at the limit).
    static func limitAddressSpace(adding allowance: Int) throws -> Int {
        guard let size = TranscodeProcess.addressSpace(of: getpid()) else {
            throw OriginNativeError(code: .io, message: "cannot read the worker's address space (/proc/self/status)")
        }
        let bytes = size + allowance
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        guard setrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0 else {
            throw OriginNativeError(code: .io, message: "cannot limit the worker's memory to \(bytes) bytes: "
                                    + String(cString: strerror(errno)))
        }
        return bytes
    }

    /// Whether `error` is an allocation failure (FFmpeg's `AVERROR(ENOMEM)`, which is `-ENOMEM`).
    static func isOutOfMemory(_ error: OriginNativeError) -> Bool {
        error.status == -ENOMEM || error.message.contains("out of memory")
            || error.message.contains(String(cString: strerror(ENOMEM)))
    }

    /// Writes one message line; a closed pipe (the origin is gone) ends the process.
    static func emit(_ message: TranscodeWorkerMessage) {
        guard var bytes = try? JSONEncoder().encode(message) else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { _exit(3) }
                offset += written
            }
        }
    }

    /// Exits when the parent changes (the origin died: the worker was re-parented).
    private static func watchParent(_ parent: Int32) {
        Thread.detachNewThread {
            while true {
                if getppid() != parent { _exit(3) }
                usleep(250_000)
            }
        }
    }
}
