extension API {
    /// `GET /videos/{id}` (docs/api.md, "Videos").
    public struct Video: Codable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var status: VideoStatus
        /// 0…1: of the upload while uploading, of the transcode while transcoding.
        public var progress: Double
        public var error: String?
        public var renditions: [Rendition]
        public var duration: Double?
        /// Tokenised master playlist URL (set by the edge once the video is ready).
        public var playbackURL: String?
        /// Who may see it.
        public var visibility: VideoVisibility?
        /// Whether the caller owns it (may change its visibility and delete it).
        public var owned: Bool?

        enum CodingKeys: String, CodingKey {
            case id, title, status, progress, error, renditions, duration, playbackURL = "playback_url", visibility, owned
        }

        public init(id: String, title: String, status: VideoStatus, progress: Double, error: String?,
                    renditions: [Rendition], duration: Double?, playbackURL: String? = nil,
                    visibility: VideoVisibility? = nil, owned: Bool? = nil) {
            self.visibility = visibility
            self.owned = owned
            self.id = id
            self.title = title
            self.status = status
            self.progress = progress
            self.error = error
            self.renditions = renditions
            self.duration = duration
            self.playbackURL = playbackURL
        }
    }

    public struct Rendition: Codable, Sendable, Hashable {
        public var name: String
        public var width: Int
        public var height: Int
        public var bandwidth: Int

        public init(name: String, width: Int, height: Int, bandwidth: Int) {
            self.name = name
            self.width = width
            self.height = height
            self.bandwidth = bandwidth
        }
    }

    /// The WebSocket event `{op:"video", id, status, progress, error?}` sent to watchers.
    public struct VideoEvent: Codable, Sendable, Equatable {
        public var op = "video"
        public var id: String
        public var status: VideoStatus
        public var progress: Double
        public var error: String?

        public init(id: String, status: VideoStatus, progress: Double, error: String? = nil) {
            self.id = id
            self.status = status
            self.progress = progress
            self.error = error
        }
    }
}
