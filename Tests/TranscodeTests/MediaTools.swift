import Foundation
import StreamLyProcess
import Testing

/// The `ffmpeg` and `ffprobe` command-line tools, used to make test inputs and to check outputs
/// independently of the code under test.
enum MediaTools {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A fresh temporary directory, removed by the caller with `remove`.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamly-transcode-\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs a tool from `/usr/bin`; returns standard output, throws with standard error on failure.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-tool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let (status, data) = try ChildProcess.runBlocking("/usr/bin/" + tool, arguments, errorLog: errorURL)
        guard status == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) failed: "
                + String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self))
        }
        return data
    }

    /// Makes an H.264 (+ AAC at 44.1 kHz, so the transcoder has to resample) MP4 test clip.
    static func makeClip(at url: URL, width: Int, height: Int, seconds: Double, rate: Int = 30,
                         audio: Bool = true) throws {
        var arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                         "-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(rate)"]
        if audio {
            arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
        }
        arguments += ["-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        if audio { arguments += ["-c:a", "aac", "-ac", "1"] }
        arguments.append(url.path)
        try run("ffmpeg", arguments)
    }

    /// `ffprobe -of json` with the given arguments, decoded as a dictionary.
    /// A Matroska clip (H.264 + AAC, 25 fps, 4 s) whose video timestamps jump by 9.3e15 ticks
    /// of 1/1000 s at the 50th packet (ffmpeg's `setts` bitstream filter): a crafted file whose
    /// timestamps overflow 64-bit arithmetic when scaled to milliseconds.
    static func makeTimestampJump(at url: URL) throws {
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                           "-f", "lavfi", "-i", "sine=duration=4", "-c:v", "libx264", "-preset", "ultrafast",
                           "-c:a", "aac", "-bsf:v", "setts=ts=if(gte(N\\,50)\\,PTS+9300000000000000\\,PTS)", url.path])
    }

    /// An 8192×4352 H.264 MP4 of two single-colour frames: about 100 kB that decode to 36 MB each.
    static func makeHugeResolution(at url: URL) throws {
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                           "-f", "lavfi", "-i", "color=c=blue:size=8192x4352:rate=1:duration=2",
                           "-c:v", "libx264", "-preset", "ultrafast", url.path])
    }

    static func probe(_ arguments: [String]) throws -> [String: Any] {
        let data = try run("ffprobe", ["-v", "error", "-of", "json"] + arguments)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "ffprobe printed no JSON object")
        }
        return object
    }

    /// The streams of a file or playlist: codec name, type, width, height, sample rate, channels.
    static func streams(of path: String) throws -> [[String: Any]] {
        let object = try probe(["-show_entries", "stream=codec_name,codec_type,width,height,sample_rate,channels",
                                path])
        return object["streams"] as? [[String: Any]] ?? []
    }

    /// Presentation times (seconds) of the video keyframes of a file or playlist, from packet flags.
    static func videoKeyframeTimes(of path: String) throws -> [Double] {
        let object = try probe(["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", path])
        let packets = object["packets"] as? [[String: Any]] ?? []
        return packets.compactMap { packet -> Double? in
            guard let flags = packet["flags"] as? String, flags.hasPrefix("K"),
                  let time = (packet["pts_time"] as? String).flatMap(Double.init) else { return nil }
            return time
        }.sorted()
    }

    /// `#EXTINF` durations of a media playlist.
    static func segmentDurations(playlist url: URL) throws -> [Double] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard line.hasPrefix("#EXTINF:") else { return nil }
            return Double(line.dropFirst(8).prefix { $0 != "," })
        }
    }

    /// Audio `start_time` minus video `start_time`, in seconds.
    static func audioStartOffset(of path: String) throws -> Double {
        let object = try probe(["-show_entries", "stream=codec_type,start_time", path])
        let streams = object["streams"] as? [[String: Any]] ?? []
        func start(_ type: String) throws -> Double {
            let value = streams.first { $0["codec_type"] as? String == type }?["start_time"] as? String
            guard let seconds = value.flatMap(Double.init) else { throw Failure(description: "no \(type) start_time") }
            return seconds
        }
        return try start("audio") - start("video")
    }

    /// Paths under `directory` that this process still has open (Linux `/proc/self/fd`; empty
    /// elsewhere).
    static func openFiles(under directory: String) -> [String] {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(directory) }
    }
}
