import StreamLyConfig
import StreamLyTranscode
@testable import StreamLyOrigin
import Testing

/// The issue 11 keys of the origin's configuration: read, range-checked, refused when absurd.
@Suite struct OriginConfigurationLimitsTests {
    @Test func transcodeLimitsRatesAndQuotasAreRead() throws {
        let configuration = try OriginConfiguration(ConfigValues([
            "transcode.max.width": "1920", "transcode.max.height": "1080", "transcode.max.duration.seconds": "600",
            "transcode.max.fps": "60", "transcode.max.pixels.per.second": "124416000",
            "transcode.max.timestamp.gap.seconds": "5", "transcode.timeout.seconds": "900",
            "transcode.worker.max.memory": "536870912",
            "transcode.input.formats": "mov, matroska",
            "auth.hash.threads": "3", "auth.hash.queue": "7", "auth.account.login.per.minute": "4",
            "quota.channels.per.user": "9", "quota.video.bytes.per.user": "1000", "sweep.interval.seconds": "30",
            "chat.sequencer.max.attempts": "5",
        ]), development: true)
        let limits = configuration.transcode.limits
        #expect(limits.maxWidth == 1920 && limits.maxHeight == 1080 && limits.maxDurationSeconds == 600)
        #expect(limits.maxFrameRate == 60 && limits.maxPixelsPerSecond == 124_416_000 && limits.maxTimestampGapSeconds == 5)
        #expect(configuration.transcode.timeout == .seconds(900))
        #expect(configuration.transcode.workerMaxMemory == 512 << 20)
        #expect(configuration.transcode.inputFormats == ["mov", "matroska"])
        #expect(configuration.accounts.hashThreads == 3 && configuration.accounts.hashQueue == 7)
        #expect(configuration.accounts.loginsPerMinute == 4 && configuration.accounts.refreshesPerMinute == 30)
        #expect(configuration.quotas.channelsPerUser == 9 && configuration.quotas.videoBytesPerUser == 1000)
        #expect(configuration.quotas.sweepIntervalSeconds == 30 && configuration.quotas.uploadMaxAgeSeconds == 86_400)
        #expect(configuration.sequencerMaxAttempts == 5)
        // The defaults.
        let defaults = try OriginConfiguration(ConfigValues(), development: true)
        #expect(defaults.transcode.limits == MediaLimits())
        #expect(defaults.transcode.timeout == .seconds(14_400))
        #expect(defaults.transcode.workerMaxMemory == 8 << 30)
        #expect(defaults.sequencerMaxAttempts == 30)
        let unlimited = try OriginConfiguration(ConfigValues(["transcode.worker.max.memory": "0"]), development: true)
        #expect(unlimited.transcode.workerMaxMemory == nil)
    }

    @Test func absurdValuesAreRefused() {
        for (key, value) in [("transcode.max.width", "0"), ("transcode.max.fps", "100000"),
                             ("transcode.max.timestamp.gap.seconds", "99999"),  // above the duration limit
                             ("transcode.input.formats", ""), ("transcode.timeout.seconds", "1"),
                             ("transcode.worker.max.memory", "1048576"), ("transcode.worker.max.memory", "-1"),
                             ("auth.hash.threads", "0"), ("quota.channels.per.user", "-1"), ("sweep.interval.seconds", "x"),
                             ("chat.sequencer.max.attempts", "0")] {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") {
                try OriginConfiguration(ConfigValues([key: value]), development: true)
            }
        }
    }
}
