/// Link methods and metadata keys of video uploads between edge and origin (documented in
/// `Protocol/README.md`, "Methods"). The edge speaks tus 1.0 to clients and maps each tus
/// request to one of these; the origin owns the upload's state (PostgreSQL) and bytes (S3).
public enum VideoLink {
    public enum Method {
        /// Creates a video and its upload. JSON body `VideoLinkBodies.Create`; 201 with
        /// `VideoLinkBodies.Created`.
        public static let create = "videos.create"
        /// The upload's state (tus HEAD). Metadata `video`; 200 with metadata `offset` and
        /// `length` (absent while the length is deferred).
        public static let status = "uploads.status"
        /// Appends the streamed body at `offset` (tus PATCH). Metadata `video`, `offset`,
        /// optional `body-length`, `length`, `checksum`; 204 with metadata `offset`.
        public static let patch = "uploads.patch"
        /// Terminates the upload (tus DELETE): the row and its objects. Metadata `video`; 204.
        public static let delete = "uploads.delete"
    }

    public enum Metadata {
        /// The video's id (lower-case UUID).
        public static let video = "video"
        /// Decimal byte offset: where a PATCH starts; in answers, the stored offset.
        public static let offset = "offset"
        /// Decimal declared upload length (tus `Upload-Length`).
        public static let length = "length"
        /// Decimal byte count of the PATCH body, when the client announced it.
        public static let bodyLength = "body-length"
        /// `<algorithm> <base64 digest>` of the PATCH body (tus `Upload-Checksum`).
        public static let checksum = "checksum"
    }
}

/// JSON bodies of the video link methods.
public enum VideoLinkBodies {
    /// `videos.create` request: `size` nil defers the length (tus creation-defer-length);
    /// `upload_metadata` is the raw tus `Upload-Metadata` header, if any.
    public struct Create: Codable, Sendable {
        public var title: String
        public var size: Int64?
        public var uploadMetadata: String?
        /// Who may see the video (default `unlisted`).
        public var visibility: API.VideoVisibility?

        enum CodingKeys: String, CodingKey {
            case title, size, uploadMetadata = "upload_metadata", visibility
        }
        public init(title: String, size: Int64?, uploadMetadata: String? = nil, visibility: API.VideoVisibility? = nil) {
            self.title = title
            self.size = size
            self.uploadMetadata = uploadMetadata
            self.visibility = visibility
        }
    }

    /// `videos.list` request (REST `GET /videos?cursor=&limit=`).
    public struct List: Codable, Sendable {
        public var cursor: String?
        public var limit: Int?
        /// `"me"`: the caller's own videos, whatever their visibility and state, newest first
        /// (REST `GET /videos?owner=me`: the web app's library); else the public listing.
        public var owner: String?
        public init(cursor: String? = nil, limit: Int? = nil, owner: String? = nil) {
            self.cursor = cursor
            self.limit = limit
            self.owner = owner
        }

        /// Videos per page without `limit`, and the most a page holds.
        public static let defaultLimit = 50
        public static let maxLimit = 200
    }

    /// `videos.create` answer.
    public struct Created: Codable, Sendable {
        public var id: String
        public init(id: String) { self.id = id }
    }
}
