@testable import StreamLyTranscode
import Testing

@Suite struct HLSPlaylistTests {
    private let media = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:1
        #EXT-X-PLAYLIST-TYPE:VOD
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:2.000000,
        seg_00001.m4s
        #EXTINF:2.000000,
        seg_00002.m4s
        #EXTINF:0.500000,
        seg_00003.m4s
        #EXT-X-ENDLIST

        """

    @Test func mediaPlaylistBitRates() {
        let sizes = ["seg_00001.m4s": 500_000, "seg_00002.m4s": 700_000, "seg_00003.m4s": 400_000]
        let summary = MediaPlaylistSummary.parse(media) { sizes[$0] }
        #expect(summary.initURI == "init.mp4")
        #expect(summary.targetDuration == 2)
        #expect(summary.segments.map(\.uri) == ["seg_00001.m4s", "seg_00002.m4s", "seg_00003.m4s"])
        #expect(summary.duration == 4.5)
        #expect(summary.averageBandwidth == 2_844_444)  // 12.8 Mbit / 4.5 s
        // Windows of 1...3 s: seg 2 alone is 2.8 Mbit/s; seg 2+3 is 8.8 Mbit / 2.5 s = 3.52 Mbit/s;
        // seg 3 alone (0.5 s < 1 s) is too short to count on its own.
        #expect(summary.peakBandwidth == 3_520_000)
    }

    @Test func shortRenditionUsesItsAverage() {
        let text = "#EXT-X-TARGETDURATION:2\n#EXTINF:0.4,\na.m4s\n"
        let summary = MediaPlaylistSummary.parse(text) { _ in 1000 }
        #expect(summary.peakBandwidth == 20_000)
        #expect(summary.averageBandwidth == 20_000)
    }

    @Test func masterPlaylistHighestFirst() {
        let low = TranscodeRendition(name: "480p", width: 854, height: 480, bandwidth: 1_600_000,
                                     averageBandwidth: 1_500_000, codecs: "avc1.64001e,mp4a.40.2", frameRate: 29.97)
        let high = TranscodeRendition(name: "720p", width: 1280, height: 720, bandwidth: 3_100_000,
                                      averageBandwidth: 2_900_000, codecs: "avc1.64001f,mp4a.40.2", frameRate: 29.97)
        #expect(MasterPlaylist.render([low, high]) == """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-STREAM-INF:BANDWIDTH=3100000,AVERAGE-BANDWIDTH=2900000,RESOLUTION=1280x720,\
            CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=29.970
            720p/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=1600000,AVERAGE-BANDWIDTH=1500000,RESOLUTION=854x480,\
            CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=29.970
            480p/index.m3u8

            """)
    }

    @Test func frameRateFormatting() {
        #expect(MasterPlaylist.formatFrameRate(30) == "30.000")
        #expect(MasterPlaylist.formatFrameRate(30000.0 / 1001) == "29.970")
        #expect(MasterPlaylist.formatFrameRate(23.976) == "23.976")
        #expect(MasterPlaylist.formatFrameRate(0.5) == "0.500")
    }
}
