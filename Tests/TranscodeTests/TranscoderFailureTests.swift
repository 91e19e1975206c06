import Foundation
import StreamLyOriginNative
import StreamLyTranscode
import Synchronization
import Testing

/// Bad inputs fail fast with `.invalidMedia` and a readable message; cancellation stops a job.
@Suite(.serialized) struct TranscoderFailureTests {
    init() {
        FFmpeg.logLevel = .quiet
    }

    private func failure(for input: URL, in directory: URL) throws -> OriginNativeError? {
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: OriginNativeError.self) {
            try Transcoder().transcodeBlocking(input: input.path,
                                               outputDirectory: directory.appendingPathComponent("out").path)
        }
        #expect(start.duration(to: clock.now) < .seconds(10))
        return error
    }

    @Test func randomBytesAreInvalidMedia() throws {
        let directory = try MediaTools.temporaryDirectory("random")
        defer { MediaTools.remove(directory) }
        // A fixed xorshift sequence, so the bytes (and what libavformat probes them as) never vary.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<200_000).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        // Without an extension nothing probes; ".bin" selects the `bin` (BinText art) demuxer.
        let cases = [
            ("upload", "cannot open input: Invalid data found when processing input"),
            ("upload.bin", "unsupported input format: bin"),
        ]
        for (name, message) in cases {
            let input = directory.appendingPathComponent(name)
            try Data(bytes).write(to: input)
            let error = try failure(for: input, in: directory)
            #expect(error?.code == .invalidMedia)
            #expect(error?.message == message)
        }
    }

    @Test func truncatedMP4IsInvalidMedia() throws {
        let directory = try MediaTools.temporaryDirectory("truncated")
        defer { MediaTools.remove(directory) }
        let whole = directory.appendingPathComponent("whole.mp4")
        try MediaTools.makeClip(at: whole, width: 640, height: 360, seconds: 2)
        let data = try Data(contentsOf: whole)
        let input = directory.appendingPathComponent("in.mp4")
        try data.prefix(data.count / 2).write(to: input)  // the moov box is at the end

        let error = try failure(for: input, in: directory)
        #expect(error?.code == .invalidMedia)
        #expect(error?.message.hasPrefix("cannot open input:") == true)
    }

    @Test func textFileIsInvalidMedia() throws {
        let directory = try MediaTools.temporaryDirectory("text")
        defer { MediaTools.remove(directory) }
        for name in ["notes.txt", "notes"] {
            let input = directory.appendingPathComponent(name)
            try String(repeating: "This is not a video.\n", count: 200).write(to: input, atomically: true, encoding: .utf8)
            let error = try failure(for: input, in: directory)
            #expect(error?.code == .invalidMedia)
            #expect(error.map { ["unsupported input format: tty", "cannot open input: Invalid data found when processing input"]
                .contains($0.message) } == true, "\(String(describing: error))")
        }
    }

    @Test func audioOnlyFileHasNoVideoStream() throws {
        let directory = try MediaTools.temporaryDirectory("audio")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.m4a")
        try MediaTools.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i",
                                      "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:a", "aac", input.path])
        let error = try failure(for: input, in: directory)
        #expect(error?.code == .invalidMedia)
        #expect(error?.message == "input has no video stream")
    }

    @Test func missingFileIsInvalidMedia() throws {
        let directory = try MediaTools.temporaryDirectory("missing")
        defer { MediaTools.remove(directory) }
        let error = try failure(for: directory.appendingPathComponent("nothing.mp4"), in: directory)
        #expect(error?.code == .invalidMedia)
        #expect(error?.message == "cannot open input: No such file or directory")
    }

    @Test func cancellingTheTaskStopsTheJobEarly() async throws {
        let directory = try MediaTools.temporaryDirectory("cancel")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 854, height: 480, seconds: 6)
        let out = directory.appendingPathComponent("out").path
        let reports = Mutex<[Double]>([])
        let job = Mutex<Task<TranscodeResult, any Error>?>(nil)

        // Cancel from the progress report itself once the job has visibly started, so how far
        // it got does not depend on how busy the machine is.
        let task = Task {
            try await Transcoder().transcode(input: input.path, outputDirectory: out) { value in
                reports.withLock { $0.append(value) }
                job.withLock { $0 }?.cancel()
            }
        }
        job.withLock { $0 = task }
        let result = await task.result
        #expect(throws: OriginNativeError(code: .cancelled, message: "transcode cancelled")) { try result.get() }
        #expect(reports.withLock { $0.last ?? 1 } < 0.9)
        #expect(MediaTools.openFiles(under: out).isEmpty)  // every muxer and file was closed
    }

    @Test func shouldContinueStopsABlockingJob() throws {
        let directory = try MediaTools.temporaryDirectory("stop")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 854, height: 480, seconds: 3)
        var checks = 0
        let error = #expect(throws: OriginNativeError.self) {
            try Transcoder().transcodeBlocking(input: input.path,
                                               outputDirectory: directory.appendingPathComponent("out").path,
                                               shouldContinue: { checks += 1; return checks < 20 })
        }
        #expect(error?.code == .cancelled)
        #expect(checks == 20)
    }

    @Test func invalidSettingsAndOutputDirectoryAreRejectedBeforeAnyWork() throws {
        let directory = try MediaTools.temporaryDirectory("settings")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 320, height: 240, seconds: 1)

        for configuration in [
            TranscodeConfiguration(rungs: []),
            TranscodeConfiguration(segmentDuration: 0),
            TranscodeConfiguration(rungs: [.p720, .p720]),
            TranscodeConfiguration(rungs: [TranscodeRung(name: "a/b", height: 480, videoBitrate: 1_000)]),
        ] {
            let error = #expect(throws: OriginNativeError.self) {
                try Transcoder(configuration: configuration)
                    .transcodeBlocking(input: input.path, outputDirectory: directory.appendingPathComponent("out").path)
            }
            #expect(error?.code == .invalidConfiguration)
        }
        let badPreset = #expect(throws: OriginNativeError.self) {
            try Transcoder(configuration: TranscodeConfiguration(preset: "warp-speed"))
                .transcodeBlocking(input: input.path, outputDirectory: directory.appendingPathComponent("out").path)
        }
        #expect(badPreset?.code == .ffmpeg)
        #expect(badPreset?.message.hasPrefix("avcodec_open2(libx264)") == true)

        let percent = #expect(throws: OriginNativeError.self) {
            try Transcoder().transcodeBlocking(input: input.path,
                                               outputDirectory: directory.appendingPathComponent("100%").path)
        }
        #expect(percent?.code == .io)
    }
}
