import Foundation
import StreamLyOriginNative
import StreamLyTranscode
import Synchronization
import Testing

/// The ladder end to end: real inputs made with the `ffmpeg` tool, outputs checked with
/// `ffprobe`. Serialized: each job already uses every core (x264 threads).
@Suite(.serialized) struct TranscoderTests {
    init() {
        FFmpeg.logLevel = .error
    }

    @Test func source720pGets720pAnd480pWithAlignedKeyframes() async throws {
        let directory = try MediaTools.temporaryDirectory("720")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 1280, height: 720, seconds: 5)
        let out = directory.appendingPathComponent("out")
        let reports = Mutex<[Double]>([])

        let result = try await Transcoder().transcode(input: input.path, outputDirectory: out.path) { value in
            reports.withLock { $0.append(value) }
        }

        #expect(result.renditions.map(\.name) == ["720p", "480p"])
        #expect(result.renditions.map(\.width) == [1280, 854])
        #expect(result.renditions.map(\.height) == [720, 480])
        #expect(result.hasAudio)
        #expect(abs(result.duration - 5) < 0.1)
        #expect(result.masterPlaylist == "master.m3u8")
        #expect(result.poster == "poster.jpg")
        for rendition in result.renditions {
            #expect(rendition.codecs.hasPrefix("avc1.64"))  // High profile from the veryfast preset
            #expect(rendition.codecs.hasSuffix(",mp4a.40.2"))
            #expect(abs(rendition.frameRate - 30) < 0.001)
            #expect(rendition.averageBandwidth > 100_000)
            #expect(rendition.bandwidth >= rendition.averageBandwidth)
        }
        #expect(result.renditions[0].averageBandwidth > result.renditions[1].averageBandwidth)
        for file in result.files {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        #expect(result.files.contains("720p/init.mp4"))
        #expect(result.files.contains("480p/seg_00001.m4s"))
        #expect(result.files.contains("480p/seg_00003.m4s"))

        // Each rung: H.264 at its size plus stereo 48 kHz AAC.
        var keyframes: [[Double]] = []
        for rendition in result.renditions {
            let playlist = out.appendingPathComponent("\(rendition.name)/index.m3u8")
            let streams = try MediaTools.streams(of: playlist.path)
            let video = try #require(streams.first { $0["codec_type"] as? String == "video" })
            let audio = try #require(streams.first { $0["codec_type"] as? String == "audio" })
            #expect(video["codec_name"] as? String == "h264")
            #expect(video["width"] as? Int == rendition.width)
            #expect(video["height"] as? Int == rendition.height)
            #expect(audio["codec_name"] as? String == "aac")
            #expect(audio["sample_rate"] as? String == "48000")
            #expect(audio["channels"] as? Int == 2)

            // 2 s segments, the last one shorter; each one starts on a keyframe.
            let durations = try MediaTools.segmentDurations(playlist: playlist)
            #expect(durations.count == 3)
            for duration in durations.dropLast() { #expect(abs(duration - 2) < 0.05) }
            #expect(abs(durations.reduce(0, +) - 5) < 0.1)
            let times = try MediaTools.videoKeyframeTimes(of: playlist.path)
            var start = 0.0
            for duration in durations {
                #expect(times.contains { abs($0 - times[0] - start) < 0.002 }, "no keyframe at \(start) s")
                start += duration
            }
            keyframes.append(times)
        }
        #expect(keyframes[0] == keyframes[1])
        #expect(keyframes[0].count == 3)  // no scene-cut keyframes in between

        // The master playlist: highest first, measured bit rates, codecs, frame rate.
        let master = try String(contentsOf: out.appendingPathComponent("master.m3u8"), encoding: .utf8)
        let lines = master.split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"])
        let top = result.renditions[0]
        #expect(lines[3] == "#EXT-X-STREAM-INF:BANDWIDTH=\(top.bandwidth),AVERAGE-BANDWIDTH=\(top.averageBandwidth),"
            + "RESOLUTION=1280x720,CODECS=\"\(top.codecs)\",FRAME-RATE=30.000")
        #expect(lines[4] == "720p/index.m3u8")
        #expect(lines[6] == "480p/index.m3u8")
        let variants = try MediaTools.probe(["-show_entries", "program=program_id", out.appendingPathComponent("master.m3u8").path])
        #expect((variants["programs"] as? [Any])?.count == 2)

        // Poster: a JPEG at the top rung's size.
        let poster = try MediaTools.streams(of: out.appendingPathComponent("poster.jpg").path)
        #expect(poster.first?["codec_name"] as? String == "mjpeg")
        #expect(poster.first?["width"] as? Int == 1280)

        // Progress: monotonic, ends with exactly one 1.0.
        let values = reports.withLock { $0 }
        #expect(values.count >= 5)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 })
        #expect(values.last == 1.0)
        #expect(values.filter { $0 == 1.0 }.count == 1)
    }

    @Test func source480pGetsOnly480pAndARerunRewritesTheSameFiles() throws {
        let directory = try MediaTools.temporaryDirectory("480")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 854, height: 480, seconds: 3)
        let out = directory.appendingPathComponent("out")

        let first = try Transcoder().transcodeBlocking(input: input.path, outputDirectory: out.path)
        #expect(first.renditions.map(\.name) == ["480p"])
        #expect(first.renditions.first?.width == 854)
        #expect(first.renditions.first?.height == 480)

        let second = try Transcoder().transcodeBlocking(input: input.path, outputDirectory: out.path)
        #expect(second.files == first.files)
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: out.path)
            .filter { !$0.hasSuffix("480p") }.sorted()
        #expect(onDisk == first.files)
    }

    @Test func sourceBelow480pGetsOneRungAtItsOwnSize() throws {
        let directory = try MediaTools.temporaryDirectory("240")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 320, height: 240, seconds: 2)
        let result = try Transcoder().transcodeBlocking(input: input.path,
                                                        outputDirectory: directory.appendingPathComponent("out").path)
        #expect(result.renditions.map(\.name) == ["240p"])
        #expect(result.renditions.map(\.width) == [320])
    }

    @Test func audioLessSourceGivesVideoOnlyRenditions() throws {
        let directory = try MediaTools.temporaryDirectory("silent")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 854, height: 480, seconds: 3, audio: false)
        let out = directory.appendingPathComponent("out")

        let result = try Transcoder().transcodeBlocking(input: input.path, outputDirectory: out.path)

        #expect(!result.hasAudio)
        #expect(result.renditions.count == 1)
        #expect(result.renditions[0].codecs.hasPrefix("avc1."))
        #expect(!result.renditions[0].codecs.contains("mp4a"))
        let streams = try MediaTools.streams(of: out.appendingPathComponent("480p/index.m3u8").path)
        #expect(streams.map { $0["codec_type"] as? String } == ["video"])
        let master = try String(contentsOf: out.appendingPathComponent("master.m3u8"), encoding: .utf8)
        #expect(!master.contains("mp4a"))
    }

    @Test func source1080pGetsThreeRungs() throws {
        let directory = try MediaTools.temporaryDirectory("1080")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 1920, height: 1080, seconds: 2.5)
        let out = directory.appendingPathComponent("out")

        let result = try Transcoder().transcodeBlocking(input: input.path, outputDirectory: out.path)

        #expect(result.renditions.map(\.name) == ["1080p", "720p", "480p"])
        #expect(result.renditions.map(\.width) == [1920, 1280, 854])
        let keyframes = try result.renditions.map {
            try MediaTools.videoKeyframeTimes(of: out.appendingPathComponent("\($0.name)/index.m3u8").path)
        }
        #expect(keyframes[0].count == 2)
        #expect(keyframes[1] == keyframes[0])
        #expect(keyframes[2] == keyframes[0])
        let poster = try MediaTools.streams(of: out.appendingPathComponent("poster.jpg").path)
        #expect(poster.first?["width"] as? Int == 1280)  // capped at 1280 wide
        #expect(poster.first?["height"] as? Int == 720)
    }

    @Test func mpegTSAtNTSCRateWithLateStartKeepsSegmentsAndSync() throws {
        let directory = try MediaTools.temporaryDirectory("ts")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.ts")
        // MPEG-TS starts its clock at 1.4 s; the tone starts 0.3 s after the picture.
        try MediaTools.run("ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i",
            "testsrc2=size=640x360:rate=30000/1001", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-filter_complex", "[1:a]asetpts=PTS+0.3/TB[a]", "-map", "0:v", "-map", "[a]", "-t", "4.5",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", input.path,
        ])
        let out = directory.appendingPathComponent("out")

        let result = try Transcoder().transcodeBlocking(input: input.path, outputDirectory: out.path)

        #expect(result.renditions.map(\.name) == ["360p"])
        #expect(abs(result.renditions[0].frameRate - 29.97) < 0.001)
        #expect(result.renditions[0].codecs.hasSuffix(",mp4a.40.2"))
        let playlist = out.appendingPathComponent("360p/index.m3u8")
        let durations = try MediaTools.segmentDurations(playlist: playlist)
        #expect(durations.count == 3)
        for duration in durations.dropLast() { #expect(abs(duration - 2.002) < 0.01) }
        let times = try MediaTools.videoKeyframeTimes(of: playlist.path)
        #expect(times.count == 3)

        // The tone starts as long after the picture as in the source (less the 1,024 priming
        // samples of our AAC encode, which the packets' timestamps show).
        let sourceOffset = try MediaTools.audioStartOffset(of: input.path)
        let outputOffset = try MediaTools.audioStartOffset(of: playlist.path)
        #expect(sourceOffset > 0.25)
        #expect(abs(outputOffset - (sourceOffset - 1024.0 / 48000)) < 0.005, "source \(sourceOffset) output \(outputOffset)")
    }

    @Test func fullRangeSourceBecomesLimitedRange() throws {
        let directory = try MediaTools.temporaryDirectory("range")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.run("ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-t", "1", "-vf", "scale=out_range=full", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuvj420p",
            input.path,
        ])
        #expect(try MediaTools.probe(["-show_entries", "stream=color_range", input.path]).description.contains("pc"))
        let out = directory.appendingPathComponent("out")

        let result = try Transcoder().transcodeBlocking(input: input.path, outputDirectory: out.path)

        #expect(result.renditions.map(\.name) == ["360p"])
        #expect(!result.hasAudio)
        let probed = try MediaTools.probe(["-show_entries", "stream=color_range,pix_fmt",
                                           out.appendingPathComponent("360p/index.m3u8").path])
        let stream = (probed["streams"] as? [[String: Any]])?.first
        #expect(stream?["pix_fmt"] as? String == "yuv420p")
        #expect(stream?["color_range"] as? String != "pc")  // limited ("tv") or unsignalled, which means limited
    }
}
