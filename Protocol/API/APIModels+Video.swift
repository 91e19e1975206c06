/// JSON shapes of the video REST endpoints (docs/api.md).
extension API {
    /// `POST /videos` request: `size` (bytes) sets the tus `Upload-Length`; without it the
    /// length is deferred and declared on a later PATCH.
    public struct CreateVideo: Codable, Sendable {
        public var title: String
        public var size: Int64?
        public init(title: String, size: Int64?) {
            self.title = title
            self.size = size
        }
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
