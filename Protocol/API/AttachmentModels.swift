extension API {
    /// `POST /attachments` (docs/api.md, "Attachments").
    public struct CreateAttachment: Codable, Sendable {
        public var filename: String
        public var content_type: String
        public var size: Int64

        public init(filename: String, content_type: String, size: Int64) {
            self.filename = filename
            self.content_type = content_type
            self.size = size
        }
    }

    /// The answer to `POST /attachments`: PUT the bytes to `upload_url` (with the same
    /// `Content-Type`) before it expires.
    public struct AttachmentUpload: Codable, Sendable {
        public var id: String
        public var upload_url: String
        public var expires_in: Int

        public init(id: String, upload_url: String, expires_in: Int) {
            self.id = id
            self.upload_url = upload_url
            self.expires_in = expires_in
        }
    }

    /// An attachment as messages carry it, and `GET /attachments/{id}` (with `url`).
    public struct Attachment: Codable, Sendable, Equatable {
        public var id: String
        public var filename: String
        public var content_type: String
        public var size: Int64
        /// A presigned GET URL (only in `GET /attachments/{id}`).
        public var url: String?
        public var expires_in: Int?

        public init(id: String, filename: String, content_type: String, size: Int64, url: String? = nil, expires_in: Int? = nil) {
            self.id = id
            self.filename = filename
            self.content_type = content_type
            self.size = size
            self.url = url
            self.expires_in = expires_in
        }
    }
}

/// Link methods of attachments (edge → origin); bodies are JSON.
public enum AttachmentLink {
    public enum Method {
        /// Body `API.CreateAttachment` → 201 `API.AttachmentUpload`.
        public static let create = "attachments.create"
        /// Metadata `attachment` → `API.Attachment` with a presigned `url`.
        public static let get = "attachments.get"
    }

    public enum Metadata {
        public static let attachment = "attachment"
    }
}
