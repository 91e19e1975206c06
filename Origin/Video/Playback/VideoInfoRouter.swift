import Foundation
import StreamLyAPI
import StreamLyLink
import StreamLyStore

/// Answers `videos.get`: a video's public state with its tokenised `playback_url` once ready.
struct VideoInfoRouter: Sendable {
    let videos: VideoStore
    let playback: PlaybackLinks

    /// Handles `request` if it is a video method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering {
            switch request.method {
            case VODLink.Method.getVideo:
                _ = try request.user()
                guard let raw = request.metadata[VODLink.Metadata.video], let id = UUID(uuidString: raw),
                      let video = try await videos.video(id: id) else { throw ReplyError.notFound("video") }
                var answer = Self.api(video)
                if video.status == .ready { answer.playbackURL = playback.playbackURL(videoID: answer.id) }
                try await request.reply(answer)
            case VODLink.Method.listVideos:
                let user = try request.user()
                let videos = try await videos.videos(ownerID: user.id, limit: 100)
                try await request.reply(API.VideoList(videos: videos.map { video in
                    var answer = Self.api(video)
                    if video.status == .ready { answer.playbackURL = playback.playbackURL(videoID: answer.id) }
                    return answer
                }))
            default:
                return false
            }
            return true
        }
    }

    static func api(_ video: Video) -> API.Video {
        API.Video(id: video.id.uuidString.lowercased(), title: video.title, status: video.status,
                  progress: video.progress, error: video.error,
                  renditions: video.renditions.map {
                      API.Rendition(name: $0.name, width: $0.width, height: $0.height, bandwidth: $0.bandwidth)
                  },
                  duration: video.durationSeconds)
    }
}
