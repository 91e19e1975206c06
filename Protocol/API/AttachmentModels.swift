extension API {
    /// `POST /attachments` (docs/api.md, "Attachments").
    public struct CreateAttachment: Codable, Sendable {
        public var filename: String
        public var contentType: String
        public var size: Int64

        enum CodingKeys: String, CodingKey {
            case filename, contentType = "content_type", size
        }

        public init(filename: String, contentType: String, size: Int64) {
            self.filename = filename
            self.contentType = contentType
            self.size = size
        }
    }

    /// The answer to `POST /attachments`: PUT the bytes to `upload_url` (with the same
    /// `Content-Type`) before it expires.
    public struct AttachmentUpload: Codable, Sendable {
        public var id: String
        public var uploadURL: String
        public var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case id, uploadURL = "upload_url", expiresIn = "expires_in"
        }

        public init(id: String, uploadURL: String, expiresIn: Int) {
            self.id = id
            self.uploadURL = uploadURL
            self.expiresIn = expiresIn
        }
    }

    /// An attachment as messages carry it, and `GET /attachments/{id}` (with `url`).
    public struct Attachment: Codable, Sendable, Equatable {
        public var id: String
        public var filename: String
        public var contentType: String
        public var size: Int64
        /// A presigned GET URL (only in `GET /attachments/{id}`).
        public var url: String?
        public var expiresIn: Int?

        enum CodingKeys: String, CodingKey {
            case id, filename, contentType = "content_type", size, url, expiresIn = "expires_in"
        }

        public init(id: String, filename: String, contentType: String, size: Int64, url: String? = nil, expiresIn: Int? = nil) {
            self.id = id
            self.filename = filename
            self.contentType = contentType
            self.size = size
            self.url = url
            self.expiresIn = expiresIn
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
