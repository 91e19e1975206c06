import Foundation

/// An attachment reference carried inside a message (stored in `messages.attachments` as JSON).
///
/// The bytes live in object storage; `id` refers to a row of the `attachments` table.
public struct MessageAttachment: Sendable, Hashable, Codable {
    public var id: UUID
    public var filename: String
    public var contentType: String
    public var size: Int64

    public init(id: UUID, filename: String, contentType: String, size: Int64) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, size
        case contentType = "content_type"
    }
}
