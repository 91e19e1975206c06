/// JSON shapes of the video REST endpoints (docs/api.md).
extension API {
    /// `POST /videos` request: `size` (bytes) sets the tus `Upload-Length`; without it the
    /// length is deferred and declared on a later PATCH.
    public struct CreateVideo: Codable, Sendable {
        public var title: String
        public var size: Int64?
        /// Who may see the video; `unlisted` when absent.
        public var visibility: VideoVisibility?
        public init(title: String, size: Int64?, visibility: VideoVisibility? = nil) {
            self.title = title
            self.size = size
            self.visibility = visibility
        }
    }

    /// `GET /videos`: a page of public videos; `next_cursor` (absent on the last page) is
    /// passed back as `?cursor=`.
    public struct VideoList: Codable, Sendable, Equatable {
        public var videos: [Video]
        public var nextCursor: String?
        public init(videos: [Video], nextCursor: String? = nil) {
            self.videos = videos
            self.nextCursor = nextCursor
        }

        enum CodingKeys: String, CodingKey {
            case videos
            case nextCursor = "next_cursor"
        }
    }

    /// `PATCH /videos/{id}` (owner): the fields to change.
    public struct UpdateVideo: Codable, Sendable {
        public var visibility: VideoVisibility?
        public init(visibility: VideoVisibility?) { self.visibility = visibility }
    }

    /// `POST /videos` answer: the video and its tus upload resource.
    public struct VideoCreated: Codable, Sendable, Equatable {
        public var id: String
        public var uploadURL: String

        enum CodingKeys: String, CodingKey {
            case id, uploadURL = "upload_url"
        }
        public init(id: String, uploadURL: String) {
            self.id = id
            self.uploadURL = uploadURL
        }
    }
}
