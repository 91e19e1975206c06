import Foundation
import StreamLyAPI

/// A video on demand: its upload (a tus resource) and its transcode state.
public struct Video: Sendable, Hashable {
    /// Where a video is in its life (`videos.status`; the public `status` field).
    public typealias Status = API.VideoStatus
    /// One rung of the ladder of a ready video (the public `renditions` entries).
    public typealias Rendition = API.Rendition
    /// Who may see it (`videos.visibility`).
    public typealias Visibility = API.VideoVisibility

    public var id: UUID
    public var ownerID: UUID
    public var title: String
    public var status: Status
    /// 0…1: of the upload while `uploading`, of the transcode while `transcoding`.
    public var progress: Double
    /// Why the video failed, readable.
    public var error: String?
    public var upload: VideoUpload
    public var attempts: Int
    public var renditions: [Rendition]
    public var durationSeconds: Double?
    public var createdAt: Date
    public var updatedAt: Date
    public var visibility: Visibility = .unlisted

    /// Whether `user` may see it: the owner always; others unless it is private.
    public func isVisible(to user: UUID) -> Bool {
        ownerID == user || visibility != .private
    }
}

/// The durable state of a video's tus upload.
public struct VideoUpload: Sendable, Hashable {
    /// Declared size, nil until the client declares it (tus creation-defer-length).
    public var length: Int64?
    /// Bytes stored durably.
    public var offset: Int64
    /// The raw `Upload-Metadata` header given at creation.
    public var metadata: String
    /// The S3 multipart upload, once the first part was written.
    public var multipartID: String?
    /// Part number → ETag of every whole part stored so far.
    public var parts: [Int: String]

    public init(length: Int64?, offset: Int64, metadata: String, multipartID: String?, parts: [Int: String]) {
        self.length = length
        self.offset = offset
        self.metadata = metadata
        self.multipartID = multipartID
        self.parts = parts
    }

    /// Whether every declared byte is stored.
    public var isComplete: Bool { length.map { offset == $0 } ?? false }
}
