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
        do {
            let result = try await Transcoder(configuration: job.configuration)
                .transcode(input: job.input, outputDirectory: job.output) { emit(.progress($0)) }
            emit(.result(result))
            return 0
        } catch let error as OriginNativeError {
            emit(.error(code: error.code.name, message: error.message))
            return 1
        } catch {
            emit(.error(code: OriginNativeError.Code.io.name, message: "\(error)"))
            return 1
        }
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
