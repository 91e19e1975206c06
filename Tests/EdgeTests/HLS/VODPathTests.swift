import StreamLyAPI
import Testing

@Suite struct VODPathTests {
    @Test(arguments: [
        ("master.m3u8", VODPath.master), ("poster.jpg", .poster),
        ("720p/index.m3u8", .rendition(rung: "720p", file: .playlist)),
        ("audio_64k/init.mp4", .rendition(rung: "audio_64k", file: .initialization)),
        ("360p/seg_00001.m4s", .rendition(rung: "360p", file: .segment(1))),
        ("1080p/seg_123456.m4s", .rendition(rung: "1080p", file: .segment(123_456))),
    ])
    func validPathsParseAndRoundTrip(path: String, expected: VODPath) {
        #expect(VODPath(path) == expected)
        #expect(VODPath(path)?.relativePath == path)
    }

    @Test(arguments: [
        "", "/", "master.m3u8/", "../master.m3u8", "720p/../master.m3u8", "..", "720p/..", "./master.m3u8",
        "720p/%2e%2e", "720P/index.m3u8", "720p/seg_1.m4s", "720p/seg_0001.m4s", "720p/seg_000001.m4s",
        "720p/seg_00001.ts", "720p/seg_0000a.m4s", "720p/index.m3u8x", "a/b/index.m3u8", "720p//index.m3u8",
        "720p/INIT.mp4", "master.M3U8", "poster.png", "\(String(repeating: "a", count: 33))/index.m3u8",
        "720p/seg_1234567890.m4s", "720p\\index.m3u8", "720p/index.m3u8\u{0}",
    ])
    func everythingElseIsRejected(path: String) {
        #expect(VODPath(path) == nil)
    }

    @Test func contentTypes() {
        #expect(VODPath.master.contentType == "application/vnd.apple.mpegurl")
        #expect(VODPath("a/index.m3u8")?.contentType == "application/vnd.apple.mpegurl")
        #expect(VODPath("a/init.mp4")?.contentType == "video/mp4")
        #expect(VODPath("a/seg_00009.m4s")?.contentType == "video/mp4")
        #expect(VODPath.poster.contentType == "image/jpeg")
    }

    @Test func videoIDs() {
        #expect(VODPath.isValidVideoID("0b3f6a52-7a64-4b0e-9d5c-2f1e8c1a9b77"))
        #expect(VODPath.isValidVideoID("Abc_1"))
        for bad in ["", "..", "a/b", "a.b", "a%2f", String(repeating: "x", count: 65)] {
            #expect(!VODPath.isValidVideoID(bad))
        }
    }

    @Test func objectKeys() {
        #expect(VODLink.objectKey(videoID: "v1", path: .rendition(rung: "720p", file: .segment(7))) == "vod/v1/720p/seg_00007.m4s")
    }
}
