import Foundation
import Logging
import StreamLyAPI
import StreamLyLink
import StreamLyStorage
import StreamLyStore

/// Answers the video methods that are not uploads: `videos.get` (a video's public state with
/// its tokenised `playback_url` once ready), `videos.list` (public videos), and the owner's
/// `videos.update` (visibility) and `videos.delete`.
///
/// Visibility: `private` videos are the owner's alone (anyone else gets 404, as for an
/// unknown id), `unlisted` ones anyone signed in may read by id, `public` ones are listed too.
struct VideoInfoRouter: Sendable {
    let videos: VideoStore
    let playback: PlaybackLinks
    let store: any ObjectStore
    let events: VideoEvents
    let finisher: UploadFinisher
    let logger: Logger

    /// Handles `request` if it is a video method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering(storage: ReplyError.storage) {
            switch request.method {
            case VODLink.Method.getVideo:
                let user = try request.user()
                let video = try await visibleVideo(request, user: user.id)
                try await request.reply(answer(video, user: user.id))
            case VODLink.Method.listVideos:
                try await list(request)
            case VODLink.Method.updateVideo:
                let user = try request.user()
                let id = try videoID(request)
                let body = try await request.decode(API.UpdateVideo.self)
                guard let visibility = body.visibility else { throw ReplyError.badRequest("nothing to change: send visibility") }
                guard let video = try await videos.setVisibility(id: id, owner: user.id, visibility) else {
                    throw ReplyError.notFound("video")
                }
                try await request.reply(answer(video, user: user.id))
            case VODLink.Method.deleteVideo:
                try await delete(request)
            default:
                return false
            }
            return true
        }
    }

    private func videoID(_ request: LinkInboundRequest) throws -> UUID {
        guard let raw = request.metadata[VODLink.Metadata.video], let id = UUID(uuidString: raw) else {
            throw ReplyError.notFound("video")
        }
        return id
    }

    /// The video named in the metadata if `user` may see it; "not found" otherwise.
    private func visibleVideo(_ request: LinkInboundRequest, user: UUID) async throws -> Video {
        guard let video = try await videos.video(id: try videoID(request)), video.isVisible(to: user) else {
            throw ReplyError.notFound("video")
        }
        return video
    }

    private func answer(_ video: Video, user: UUID) -> API.Video {
        var answer = Self.api(video)
        answer.owned = video.ownerID == user
        if video.status == .ready { answer.playbackURL = playback.playbackURL(videoID: answer.id) }
        return answer
    }

    private func list(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let body = try await request.decode(VideoLinkBodies.List.self)
        let page = try PageRequest(limit: body.limit, cursor: body.cursor, defaultLimit: VideoLinkBodies.List.defaultLimit,
                                   maxLimit: VideoLinkBodies.List.maxLimit)
        if body.owner != nil {
            guard body.owner == "me" else { throw ReplyError.badRequest("owner must be \"me\"") }
            let own = try await videos.videos(ownerID: user.id, limit: page.limit)
            try await request.reply(API.VideoList(videos: own.map { answer($0, user: user.id) }))
            return
        }
        let (rows, next) = try await page.fetch({ try await videos.publicVideos(after: $0, limit: $1) }, id: \.id)
        try await request.reply(API.VideoList(videos: rows.map { answer($0, user: user.id) }, nextCursor: next))
    }

    /// The owner's `DELETE /videos/{id}`: first the `deleted` event (edges refuse the video's
    /// tokens and drop its cached objects; if the broker cannot take it, nothing is deleted
    /// and the answer is 503), then the row (a running transcode then finds it gone and
    /// removes its own outputs), then every object under `uploads/{id}/` and `vod/{id}/`.
    private func delete(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let id = try videoID(request)
        guard let video = try await videos.video(id: id), video.ownerID == user.id else { throw ReplyError.notFound("video") }
        let event = API.VideoEvent(id: id.uuidString.lowercased(), status: .deleted, progress: 0)
        do {
            try await events.publishOrThrow(event)
        } catch {
            throw ReplyError(status: 503, code: .unavailable, message: "the deletion could not be announced; retry")
        }
        guard try await videos.delete(id: id) else { throw ReplyError.notFound("video") }
        await finisher.deleteAll(video)
        await deleteObjects(prefix: TranscodeJobRunner.outputPrefix(id), store: store, logger: logger)
        logger.info("video deleted", metadata: ["video": "\(id)"])
        try await request.responder.respond(status: 204)
    }

    static func api(_ video: Video) -> API.Video {
        API.Video(id: video.id.uuidString.lowercased(), title: video.title, status: video.status,
                  progress: video.progress, error: video.error,
                  renditions: video.renditions.map {
                      API.Rendition(name: $0.name, width: $0.width, height: $0.height, bandwidth: $0.bandwidth)
                  },
                  duration: video.durationSeconds, visibility: video.visibility)
    }
}

/// Best effort: deletes every object under `prefix`, a page at a time.
func deleteObjects(prefix: String, store: any ObjectStore, logger: Logger) async {
    do {
        var token: String?
        repeat {
            let page = try await store.listObjects(prefix: prefix, continuationToken: token, maxKeys: 1000)
            for object in page.objects { try await store.deleteObject(key: object.key) }
            token = page.nextContinuationToken
        } while token != nil
    } catch {
        logger.warning("objects not deleted", metadata: ["prefix": "\(prefix)", "error": "\(error)"])
    }
}
