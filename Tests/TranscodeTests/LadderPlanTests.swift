@testable import StreamLyTranscode
import Testing

@Suite struct LadderPlanTests {
    private func sizes(_ width: Int, _ height: Int, sar: (Int, Int) = (1, 1)) -> [String] {
        LadderPlan.plan(sourceWidth: width, sourceHeight: height, sampleAspect: sar, rungs: TranscodeRung.standardLadder)
            .map { "\($0.name) \($0.width)x\($0.height)" }
    }

    @Test func rungsNoTallerThanTheSourceHighestFirst() {
        #expect(sizes(1920, 1080) == ["1080p 1920x1080", "720p 1280x720", "480p 854x480"])
        #expect(sizes(3840, 2160) == ["1080p 1920x1080", "720p 1280x720", "480p 854x480"])
        #expect(sizes(1280, 720) == ["720p 1280x720", "480p 854x480"])
        #expect(sizes(854, 480) == ["480p 854x480"])
        #expect(sizes(1000, 719) == ["480p 668x480"])
    }

    @Test func smallSourceGetsOneRungAtItsOwnEvenSize() {
        #expect(sizes(320, 240) == ["240p 320x240"])
        #expect(sizes(321, 241) == ["240p 320x240"])
        let rung = LadderPlan.plan(sourceWidth: 640, sourceHeight: 360, rungs: TranscodeRung.standardLadder)[0]
        #expect(rung.videoBitrate < TranscodeRung.p480.videoBitrate)
        #expect(rung.videoBitrate > 500_000)
    }

    @Test func aspectRatioIsKeptWithEvenWidths() {
        #expect(sizes(1440, 1080) == ["1080p 1440x1080", "720p 960x720", "480p 640x480"])
        #expect(sizes(1080, 1920) == ["1080p 608x1080", "720p 406x720", "480p 270x480"])
        // Anamorphic DVD: 720x576 with 16:15 pixels displays as 768x576.
        #expect(sizes(720, 576, sar: (16, 15)) == ["480p 640x480"])
    }

    @Test func rateControlDefaults() {
        #expect(TranscodeRung.p720.maxBitrate == 2_996_000)
        #expect(TranscodeRung.p720.bufferSize == 4_200_000)
        #expect(LadderPlan.plan(sourceWidth: 0, sourceHeight: 0, rungs: TranscodeRung.standardLadder).isEmpty)
    }
}
