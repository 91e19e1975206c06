import NIOCore
@testable import StreamLyEdge
import Testing

@Suite struct PlaylistRewriterTests {
    @Test func masterPlaylistURIsCarryTheToken() {
        let master = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/index.m3u8"
            #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,AUDIO="a"
            360p/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720
            720p/index.m3u8?x=1
            https://cdn.example/other.m3u8

            """
        let out = String(buffer: PlaylistRewriter.rewrite(ByteBuffer(string: master), token: "T.1.M"))
        #expect(out == """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/index.m3u8?token=T.1.M"
            #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,AUDIO="a"
            360p/index.m3u8?token=T.1.M
            #EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720
            720p/index.m3u8?x=1&token=T.1.M
            https://cdn.example/other.m3u8

            """)
    }

    @Test func mediaPlaylistMapAndSegments() {
        let media = "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n#EXTINF:4.0,\r\nseg_00001.m4s\r\n#EXT-X-ENDLIST\r\n"
        let out = String(buffer: PlaylistRewriter.rewrite(ByteBuffer(string: media), token: "tok"))
        #expect(out == "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4?token=tok\"\r\n#EXTINF:4.0,\r\nseg_00001.m4s?token=tok\r\n#EXT-X-ENDLIST\r\n")
    }
}
