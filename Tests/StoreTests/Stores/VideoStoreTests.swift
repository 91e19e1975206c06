import Foundation
import StreamLyStore
import Testing

@Suite("VideoStore")
struct VideoStoreTests {
    @Test("an upload advances only from the stored offset, then the video is queued")
    func uploadCompareAndSet() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let owner = try await Fixtures.user("uploader", in: database)
            let video = try await videos.create(ownerID: owner.id, title: " Clip ", uploadLength: 100, uploadMetadata: "title Q2xpcA==")
            #expect(video.title == "Clip")
            #expect(video.status == .uploading)
            #expect(video.upload == VideoUpload(length: 100, offset: 0, metadata: "title Q2xpcA==", multipartID: nil, parts: [:]))

            #expect(try await videos.advanceUpload(id: video.id, from: 0, to: 60, multipartID: "mp-1", newParts: [1: "e1"]))
            // A second writer that also started at 0 loses.
            #expect(try await !videos.advanceUpload(id: video.id, from: 0, to: 50, multipartID: "mp-2", newParts: [1: "x"]))
            // Past the declared length is refused.
            #expect(try await !videos.advanceUpload(id: video.id, from: 60, to: 101, multipartID: nil, newParts: [:]))
            #expect(try await !videos.finishUpload(id: video.id))
            #expect(try await videos.advanceUpload(id: video.id, from: 60, to: 100, multipartID: nil, newParts: [2: "e2"]))

            let stored = try #require(try await videos.video(id: video.id))
            #expect(stored.upload == VideoUpload(length: 100, offset: 100, metadata: "title Q2xpcA==", multipartID: "mp-1",
                                                 parts: [1: "e1", 2: "e2"]))
            #expect(stored.progress == 1)
            #expect(try await videos.finishUpload(id: video.id))
            #expect(try await videos.video(id: video.id)?.status == .queued)
            #expect(try await !videos.advanceUpload(id: video.id, from: 100, to: 100, multipartID: nil, newParts: [:]))
        }
    }

    @Test("a deferred length is declared once")
    func deferredLength() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let owner = try await Fixtures.user("deferrer", in: database)
            let video = try await videos.create(ownerID: owner.id, title: "later", uploadLength: nil)
            #expect(try await videos.advanceUpload(id: video.id, from: 0, to: 10, multipartID: nil, newParts: [:]))
            #expect(try await !videos.declareLength(id: video.id, length: 5))
            #expect(try await videos.declareLength(id: video.id, length: 20))
            #expect(try await !videos.declareLength(id: video.id, length: 30))
            #expect(try await videos.video(id: video.id)?.upload.length == 20)
        }
    }

    @Test("transcode transitions: attempts count, progress only while transcoding, ready and failed are final")
    func transcodeTransitions() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let owner = try await Fixtures.user("transcoder", in: database)
            let video = try await videos.create(ownerID: owner.id, title: "t", uploadLength: 0)
            #expect(try await videos.startAttempt(id: video.id) == nil)  // still uploading
            #expect(try await videos.finishUpload(id: video.id))
            #expect(try await !videos.setProgress(id: video.id, progress: 0.5))
            #expect(try await videos.startAttempt(id: video.id) == 1)
            #expect(try await videos.setProgress(id: video.id, progress: 0.5))
            #expect(try await videos.startAttempt(id: video.id) == 2)  // a redone job
            let ladder = [Video.Rendition(name: "480p", width: 854, height: 480, bandwidth: 1_500_000)]
            #expect(try await videos.markReady(id: video.id, renditions: ladder, durationSeconds: 20.0))
            let ready = try #require(try await videos.video(id: video.id))
            #expect(ready.status == .ready && ready.progress == 1 && ready.renditions == ladder && ready.attempts == 2)
            #expect(try await videos.startAttempt(id: video.id) == nil)
            #expect(try await !videos.markFailed(id: video.id, reason: "late"))

            let broken = try await videos.create(ownerID: owner.id, title: "b", uploadLength: 0)
            #expect(try await videos.finishUpload(id: broken.id))
            #expect(try await videos.markFailed(id: broken.id, reason: "input has no video stream"))
            let failed = try #require(try await videos.video(id: broken.id))
            #expect(failed.status == .failed && failed.error == "input has no video stream")
        }
    }

    @Test("bad titles and unknown owners are refused")
    func invalidInput() async throws {
        try await TestDatabase.withFresh { database in
            let videos = VideoStore(database: database)
            let owner = try await Fixtures.user("titler", in: database)
            await #expect(throws: StoreError.self) { try await videos.create(ownerID: owner.id, title: "  ", uploadLength: 1) }
            await #expect(throws: StoreError.self) {
                try await videos.create(ownerID: owner.id, title: String(repeating: "x", count: 201), uploadLength: 1)
            }
            await #expect(throws: StoreError.self) { try await videos.create(ownerID: owner.id, title: "x", uploadLength: -1) }
            let error = await #expect(throws: StoreError.self) { try await videos.create(ownerID: UUID(), title: "x", uploadLength: 1) }
            #expect(error?.code == .notFound)
            #expect(try await videos.video(id: UUID()) == nil)
        }
    }
}
