import Foundation
import StreamLyOriginNative
@testable import StreamLyTranscode
import Testing

/// Inputs crafted to crash or exhaust a transcoder end as `.invalidMedia` with a readable
/// reason, before or while they are decoded: never a trap, never hours of work.
@Suite(.serialized) struct CraftedMediaTests {
    init() {
        FFmpeg.logLevel = .quiet
    }

    private func failure(_ input: URL, in directory: URL, configuration: TranscodeConfiguration = TranscodeConfiguration())
        -> OriginNativeError? {
        #expect(throws: OriginNativeError.self) {
            try Transcoder(configuration: configuration)
                .transcodeBlocking(input: input.path, outputDirectory: directory.appendingPathComponent("out").path)
        }
    }

    /// A 9.3e15-tick jump used to trap in `KeyframeCadence` (`pts * num * 1000`) and take the
    /// origin down; now it is a timestamp jump, refused before any arithmetic on it.
    @Test func timestampJumpIsRefused() throws {
        let directory = try MediaTools.temporaryDirectory("jump")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("jump.mkv")
        try MediaTools.makeTimestampJump(at: input)
        let jump = failure(input, in: directory)
        #expect(jump?.code == .invalidMedia)
        #expect(jump?.message.hasPrefix("timestamp jump of 9300000000000") == true, "\(String(describing: jump))")
    }

    @Test func hugeResolutionIsRefusedBeforeDecoding() throws {
        let directory = try MediaTools.temporaryDirectory("huge")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("huge.mp4")
        try MediaTools.makeHugeResolution(at: input)
        let error = failure(input, in: directory)
        #expect(error == OriginNativeError(code: .invalidMedia, message: "resolution 8192x4352 exceeds the limit of 4096x4096"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/poster.jpg").path))
    }

    @Test func durationFrameRateAndPixelRateLimits() throws {
        let directory = try MediaTools.temporaryDirectory("limits")
        defer { MediaTools.remove(directory) }
        let input = directory.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(at: input, width: 640, height: 360, seconds: 3, rate: 30)

        var configuration = TranscodeConfiguration()
        configuration.limits.maxDurationSeconds = 2
        configuration.limits.maxTimestampGapSeconds = 1
        #expect(failure(input, in: directory, configuration: configuration)?.message.hasPrefix("duration 3") == true)

        configuration = TranscodeConfiguration()
        configuration.limits.maxFrameRate = 24
        #expect(failure(input, in: directory, configuration: configuration)?.message
            == "frame rate 30 exceeds the limit of 24 frames per second")

        configuration = TranscodeConfiguration()
        configuration.limits.maxPixelsPerSecond = 1_000_000
        #expect(failure(input, in: directory, configuration: configuration)?.message
            == "640x360 at 30 frames per second exceeds the limit of 1000000 decoded pixels per second")

        configuration = TranscodeConfiguration()
        configuration.limits.maxWidth = 320
        #expect(failure(input, in: directory, configuration: configuration)?.message
            == "resolution 640x360 exceeds the limit of 320x4096")
    }

    @Test func limitsThatNoInputCouldMeetAreInvalidConfiguration() {
        for limits in [MediaLimits(maxWidth: 1), MediaLimits(maxDurationSeconds: 0), MediaLimits(maxFrameRate: 0),
                       MediaLimits(maxPixelsPerSecond: 0), MediaLimits(maxTimestampGapSeconds: 0),
                       MediaLimits(maxDurationSeconds: 10, maxTimestampGapSeconds: 20)] {
            #expect(throws: OriginNativeError.self) { try limits.validate() }
        }
        #expect(throws: Never.self) { try MediaLimits().validate() }
    }
}

/// `PictureGuard` on timestamps alone (no FFmpeg).
@Suite struct PictureGuardTests {
    private func reason(_ pictures: [(Double, Int, Int)], limits: MediaLimits = MediaLimits()) -> String? {
        var guardian = PictureGuard(limits: limits)
        do {
            for (seconds, width, height) in pictures { try guardian.admit(seconds: seconds, width: width, height: height) }
            return nil
        } catch let error as OriginNativeError {
            return error.code == .invalidMedia ? error.message : "wrong code \(error.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test func ordinaryVideoPasses() {
        #expect(reason((0..<600).map { (Double($0) / 30, 1920, 1080) }) == nil)
        // A 30 s gap (a paused screen recording) is within the default 60 s.
        #expect(reason([(0, 640, 360), (30, 640, 360), (30.04, 640, 360)]) == nil)
    }

    @Test func absurdTimestampsAreRefused() {
        #expect(reason([(0, 64, 64), (61, 64, 64)])?.hasPrefix("timestamp jump of 61 s") == true)
        #expect(reason([(14_401, 64, 64)])?.contains("beyond the duration limit of 14400 s") == true)
        #expect(reason([(.nan, 64, 64)])?.contains("invalid timestamp") == true)
        #expect(reason([(.infinity, 64, 64)])?.contains("invalid timestamp") == true)
        #expect(reason([(-1, 64, 64)])?.contains("invalid timestamp") == true)
    }

    @Test func frameAndPixelRatesAreMeasuredOnTimestamps() {
        // 1,000 pictures in one second of timestamps (1 ms apart) at a 120 fps limit.
        #expect(reason((0..<1_000).map { (Double($0) / 1000, 64, 64) })?.contains("limit of 120 frames per second") == true)
        // 4096x4096 at 60 fps: 1e9 pixels per second against the default 4.98e8.
        let heavy = reason((0..<200).map { (Double($0) / 60, 4096, 4096) })
        #expect(heavy?.contains("pixels per second") == true, "\(heavy ?? "admitted")")
    }

    @Test func aStreamGrowingMidWayIsRefused() {
        #expect(reason([(0, 640, 360), (0.04, 8192, 8192)]) == "resolution 8192x8192 exceeds the limit of 4096x4096")
    }
}
