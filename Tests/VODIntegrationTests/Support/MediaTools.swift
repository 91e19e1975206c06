import Foundation
import IntegrationSupport

/// The `ffmpeg` and `ffprobe` command-line tools: generated test clips and what a real
/// player's demuxer sees in the outputs.
struct MediaTools: Sendable {
    /// A scratch folder of the test, removed by `clean()`.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-media-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func clean() { try? FileManager.default.removeItem(at: directory) }

    /// Runs a tool from PATH's usual place; throws with its output when it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) async throws -> String {
        let path = ["/usr/bin/\(tool)", "/usr/local/bin/\(tool)"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw TestFailure("\(tool) is not installed (infra/install.sh installs it)") }
        let (status, output) = try await ChildProcess.run(path, arguments)
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else { throw TestFailure("\(tool) \(arguments.joined(separator: " ")) exited with \(status): \(text)") }
        return text
    }

    /// An H.264 (+ AAC when `audio`) MP4 of `seconds` of `testsrc2` at `width`x`height` and
    /// 25 fps, made with x264's fastest preset.
    func clip(_ name: String, seconds: Int, width: Int, height: Int, audio: Bool = true) async throws -> URL {
        let file = directory.appendingPathComponent("\(name).mp4")
        var arguments = ["-hide_banner", "-loglevel", "error", "-y",
                         "-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=25:duration=\(seconds)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)"] }
        arguments += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p"]
        arguments += audio ? ["-c:a", "aac", "-b:a", "64k", "-shortest"] : ["-an"]
        try await Self.run("ffmpeg", arguments + [file.path])
        return file
    }

    /// The presentation times of the key frames of the first video stream, as ffprobe reads them.
    static func keyframeTimes(_ file: URL) async throws -> [String] {
        let text = try await run("ffprobe", ["-v", "error", "-select_streams", "v", "-skip_frame", "nokey",
                                             "-show_entries", "frame=pts_time", "-of", "csv=p=0", file.path])
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
