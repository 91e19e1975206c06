import ArgumentParser
import Foundation
import StreamLyOriginNative
import StreamLyTranscode

/// `streamly-load transcode`: the in-process HLS ladder (`Transcoder`) against the `ffmpeg`
/// tool producing the same ladder in one process, wall time and CPU time side by side.
struct TranscodeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcode",
        abstract: "Benchmark the in-process transcode ladder against the ffmpeg CLI.",
        discussion: """
            Generates (or takes --input) a clip with audio, runs Transcoder (decode once, \
            scale per rung, libx264 + one shared AAC encode, hls fMP4 muxer per rung), then \
            `ffmpeg -filter_complex split/scale` with the same rungs, preset, bitrates, keyframe \
            settings, AAC and hls options, one output per rung. CPU time: getrusage(RUSAGE_SELF) \
            delta for StreamLy, getrusage(RUSAGE_CHILDREN) delta for ffmpeg. Build with -c release.
            """
    )

    @Option(help: "Input video; default: a generated 1080p30 clip with a 48 kHz tone.")
    var input: String?

    @Option(help: "Length of the generated clip in seconds.")
    var seconds: Int = 30

    @Option(help: "x264 preset for both.")
    var preset: String = "veryfast"

    @Option(help: "Runs of each side; the fastest wall time of each counts.")
    var rounds: Int = 1

    @Option(help: "Keep the outputs in this directory instead of a temporary one.")
    var keep: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard seconds >= 2, rounds >= 1 else { throw ValidationError("--seconds must be >= 2 and --rounds >= 1") }
    }

    func run() async throws {
        FFmpeg.logLevel = .error
        let work = keep.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("streamly-transcode-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
        let loadAtStart = ProtoBenchmark.loadAverage()

        let source = try input ?? FFmpegCLI.makeSourceClip(in: work, seconds: seconds) { progress($0) }

        let transcoder = Transcoder(configuration: TranscodeConfiguration(preset: preset))
        var ours = Measurement(wall: .infinity, cpu: 0)
        var theirs = Measurement(wall: .infinity, cpu: 0)
        var result: TranscodeResult?
        for round in 1...rounds {
            progress("round \(round)/\(rounds): StreamLy Transcoder")
            let outDirectory = work.appendingPathComponent("streamly").path
            let (measured, produced) = try await Measurement.selfUsage {
                try await transcoder.transcode(input: source, outputDirectory: outDirectory)
            }
            if measured.wall < ours.wall { ours = measured }
            result = produced

            progress("round \(round)/\(rounds): ffmpeg CLI")
            let arguments = ffmpegLadder(source: source, result: produced,
                                         out: work.appendingPathComponent("ffmpeg"))
            let cli = try Measurement.childUsage { try FFmpegCLI.run(arguments) }
            if cli.wall < theirs.wall { theirs = cli }
        }
        guard let result else { return }

        let ladder = result.renditions.map(\.name).joined(separator: "/")
        let section = "Transcode \(String(format: "%.1f", result.duration)) s → \(ladder), x264 \(preset)"
            + (result.hasAudio ? " + AAC" : "")
        let rows = [
            BenchmarkRow(section: section, measure: "wall time", unit: "s", streamly: ours.wall, baseline: theirs.wall),
            BenchmarkRow(section: section, measure: "CPU time (user+sys)", unit: "s", streamly: ours.cpu,
                         baseline: theirs.cpu),
            BenchmarkRow(section: section, measure: "speed (media s / wall s)", unit: "x",
                         streamly: result.duration / ours.wall, baseline: result.duration / theirs.wall),
        ]
        var machine = ProtoBenchmark.machine(target: nil)
        machine["loadAverageAtStart"] = loadAtStart
        machine["input"] = input ?? "generated \(seconds) s 1920x1080 30 fps testsrc2 + 48 kHz sine"
        if json {
            print(try ResultTable.json(rows, machine: machine))
        } else {
            print("streamly-load transcode · \(machine["date"]!) · \(machine["cores"]!) cores · \(machine["build"]!) build"
                  + " · 1-min load average at start \(loadAtStart)")
            print("")
            print(ResultTable.render(rows, notes: [
                "ratio = StreamLy ÷ ffmpeg (times: below 1 is faster; speed: above 1 is faster).",
                "StreamLy: decode once, sws per rung (none at source size), libx264 per rung, ONE AAC encode shared by all "
                    + "rungs, hls fMP4 muxer per rung, plus master.m3u8 (bit rates read back from the segments) and poster.jpg.",
                "ffmpeg: split + scale=flags=bicubic in one -filter_complex, one output per rung, each with its own AAC "
                    + "encode (the CLI cannot share one encoder between outputs); same x264 settings and hls options.",
            ], baseline: "ffmpeg"))
        }
    }

    /// The same ladder with the ffmpeg CLI: one filter graph, one hls output per rung.
    private func ffmpegLadder(source: String, result: TranscodeResult, out: URL) -> [String] {
        try? FileManager.default.removeItem(at: out)
        let renditions = result.renditions
        var graph = "[0:v]split=\(renditions.count)" + renditions.indices.map { "[s\($0)]" }.joined()
        for (index, rendition) in renditions.enumerated() {
            graph += ";[s\(index)]scale=\(rendition.width):\(rendition.height):flags=bicubic[v\(index)]"
        }
        var arguments = ["-i", source, "-filter_complex", graph]
        let gop = String(Int((renditions[0].frameRate * 2).rounded()))
        for (index, rendition) in renditions.enumerated() {
            let rung = TranscodeRung.standardLadder.first { $0.name == rendition.name } ?? .p480
            let directory = out.appendingPathComponent(rendition.name)
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            arguments += ["-map", "[v\(index)]"]
            if result.hasAudio { arguments += ["-map", "0:a:0"] }
            arguments += [
                "-c:v", "libx264", "-preset", preset, "-b:v", String(rung.videoBitrate),
                "-maxrate", String(rung.maxBitrate), "-bufsize", String(rung.bufferSize),
                "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-forced-idr", "1",
                "-x264-params", "scenecut=0:open-gop=0", "-force_key_frames", "expr:gte(t,n_forced*2)",
            ]
            if result.hasAudio { arguments += ["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"] }
            arguments += [
                "-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "2", "-hls_playlist_type", "vod",
                "-hls_flags", "independent_segments", "-hls_fmp4_init_filename", "init.mp4", "-start_number", "1",
                "-hls_segment_filename", directory.appendingPathComponent("seg_%05d.m4s").path,
                directory.appendingPathComponent("index.m3u8").path,
            ]
        }
        return arguments
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("· \(text)\n".utf8))
    }
}

/// Wall and CPU seconds of one run.
struct Measurement: Sendable {
    var wall: Double
    var cpu: Double

    /// Runs `body` and measures this process (all its threads).
    static func selfUsage<T>(_ body: () async throws -> T) async rethrows -> (Measurement, T) {
        let cpuBefore = cpuSeconds(children: false)
        let start = ContinuousClock.now
        let value = try await body()
        let wall = seconds(ContinuousClock.now - start)
        return (Measurement(wall: wall, cpu: cpuSeconds(children: false) - cpuBefore), value)
    }

    /// Runs `body`, which starts and waits for child processes, and measures those children.
    static func childUsage(_ body: () throws -> Void) rethrows -> Measurement {
        let cpuBefore = cpuSeconds(children: true)
        let start = ContinuousClock.now
        try body()
        let wall = seconds(ContinuousClock.now - start)
        return Measurement(wall: wall, cpu: cpuSeconds(children: true) - cpuBefore)
    }

    /// User + system CPU seconds of this process (all threads) or of its waited-for children.
    private static func cpuSeconds(children: Bool) -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(children ? RUSAGE_CHILDREN : RUSAGE_SELF, &usage)
        #endif
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
