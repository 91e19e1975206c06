import ArgumentParser
import Foundation
import StreamLyProcess

/// The ffmpeg command-line tool: the video benchmarks' source clip and their baseline.
enum FFmpegCLI {
    /// Runs ffmpeg quietly (errors only, no stdin, overwriting outputs); throws with its
    /// last words when it fails.
    static func run(_ arguments: [String]) throws {
        let (status, output) = try ChildProcess.runBlocking("/usr/bin/ffmpeg",
                                                            ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments)
        guard status == 0 else {
            throw ValidationError("ffmpeg exited with status \(status): " + String(decoding: output.suffix(300), as: UTF8.self))
        }
    }

    /// Writes `seconds` of a 1080p30 H.264 test pattern with a 440 Hz AAC tone to
    /// `directory/source.mp4` (saying so with `log`); returns its path.
    static func makeSourceClip(in directory: URL, seconds: Int, log: (String) -> Void) throws -> String {
        let path = directory.appendingPathComponent("source.mp4").path
        log("generating a \(seconds) s 1080p30 clip with audio")
        try run(["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                 "-t", String(seconds), "-c:v", "libx264", "-preset", "veryfast", "-b:v", "8M", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-b:a", "192k", path])
        return path
    }
}
