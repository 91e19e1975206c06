import NIOCore
import Testing
@testable import StreamLyEdge

@Suite("Video event ordering")
struct VideoStateTests {
    static func state(_ status: String, _ progress: Double) -> VideoWatchers.VideoState? {
        VideoWatchers.VideoState(ByteBuffer(string: #"{"op":"video","id":"v","status":"\#(status)","progress":\#(progress)}"#))
    }

    @Test("a state is newer when its status is later, or the same status has more progress")
    func ordering() throws {
        let uploading = try #require(Self.state("uploading", 0.5))
        let queued = try #require(Self.state("queued", 0))
        let transcoding = try #require(Self.state("transcoding", 0.3))
        let ready = try #require(Self.state("ready", 1))
        let failed = try #require(Self.state("failed", 0))
        #expect(uploading.isNewer(than: nil))
        #expect(queued.isNewer(than: uploading))
        #expect(!uploading.isNewer(than: queued))
        #expect(transcoding.isNewer(than: queued))
        #expect(try #require(Self.state("transcoding", 0.31)).isNewer(than: transcoding))
        #expect(!transcoding.isNewer(than: transcoding))  // the same event from another origin
        let older = try #require(Self.state("transcoding", 0.2))
        #expect(!older.isNewer(than: transcoding))
        #expect(ready.isNewer(than: transcoding))
        #expect(!transcoding.isNewer(than: ready))  // a late progress event after ready
        #expect(!failed.isNewer(than: ready) && !ready.isNewer(than: failed))
    }

    @Test("events that are not video events are ignored")
    func garbage() {
        #expect(VideoWatchers.VideoState(ByteBuffer(string: "{")) == nil)
        #expect(VideoWatchers.VideoState(ByteBuffer(string: #"{"op":"video"}"#)) == nil)
    }
}
