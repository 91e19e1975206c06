import Foundation
import StreamLyAPI
import StreamLyLink
import StreamLyStorage
import StreamLyStore

/// Chat attachments: announces files and hands out presigned PUT/GET URLs for them, and
/// checks the attachments of a publish (`AttachmentLink.Method`).
struct AttachmentRouter: Sendable {
    let attachments: AttachmentStore
    let channels: ChannelStore
    let store: any ObjectStore
    let settings: AttachmentSettings
    /// Per-user limits on announcing attachments (`quota.*`).
    let quota: AttachmentStore.Quota

    /// Handles `request` if it is an attachment method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering(storage: ReplyError.storage) {
            switch request.method {
            case AttachmentLink.Method.create:
                let user = try request.user()
                let body = try await request.decode(API.CreateAttachment.self)
                let presigner = try self.presigner()
                let attachment = try await attachments.create(
                    ownerID: user.id, filename: body.filename, contentType: body.contentType, size: body.size,
                    maxSize: settings.maxBytes, quota: quota)
                // The uploader must send the declared type and size: the URL is refused otherwise.
                let url = try presigner.presignedURL(
                    method: .put, key: attachment.objectKey, expires: settings.uploadExpiry,
                    headers: [(name: "Content-Type", value: attachment.contentType),
                              (name: "Content-Length", value: String(attachment.size))])
                try await request.reply(API.AttachmentUpload(id: attachment.id.uuidString.lowercased(),
                                                             uploadURL: url.absoluteString, expiresIn: settings.uploadExpiry),
                                        status: 201)
            case AttachmentLink.Method.get:
                let user = try request.user()
                guard let raw = request.metadata[AttachmentLink.Metadata.attachment], let id = UUID(uuidString: raw),
                      let attachment = try await attachments.attachment(id: id),
                      try await mayRead(attachment, user: user.id) else { throw ReplyError.notFound("attachment") }
                // Downloads, never rendered by the browser from the storage host (no stored XSS).
                let url = try presigner().presignedURL(
                    method: .get, key: attachment.objectKey, expires: settings.downloadExpiry,
                    query: [(name: "response-content-disposition", value: Self.contentDisposition(attachment.filename)),
                            (name: "response-content-type", value: attachment.contentType)])
                var answer = Self.api(attachment.reference)
                answer.url = url.absoluteString
                answer.expiresIn = settings.downloadExpiry
                try await request.reply(answer)
            default:
                return false
            }
            return true
        }
    }

    /// The owner may always read; others if they can read a channel with a message carrying it.
    private func mayRead(_ attachment: AttachmentStore.Attachment, user: UUID) async throws -> Bool {
        if attachment.ownerID == user { return true }
        for channel in try await attachments.channels(carrying: attachment.id)
        where try await channels.access(userID: user, channelID: channel) != .none {
            return true
        }
        return false
    }

    private func presigner() throws -> S3Client {
        guard let client = store as? S3Client else {
            throw ReplyError(status: 501, code: .notSupported,
                             message: "attachments need S3 storage (storage.backend=s3): the local backend cannot presign URLs")
        }
        return client
    }

    /// Checks the attachments of a publish by `author`: each must be theirs and its object
    /// uploaded, no larger than declared. Returns what the message carries.
    func resolve(_ ids: [String], author: UUID) async throws -> [MessageAttachment] {
        guard ids.count <= 10, Set(ids).count == ids.count else {
            throw ReplyError(status: 400, code: .badRequest, message: "at most 10 distinct attachments")
        }
        var resolved: [MessageAttachment] = []
        for raw in ids {
            guard let id = UUID(uuidString: raw), let attachment = try await attachments.attachment(id: id),
                  attachment.ownerID == author else {
                throw ReplyError(status: 400, code: .unknownAttachment, message: "no such attachment: \(raw.prefix(64))")
            }
            if attachment.status != "uploaded" {
                guard let object = try await store.headObject(key: attachment.objectKey) else {
                    throw ReplyError(status: 400, code: .attachmentNotUploaded, message: "attachment \(raw) has no bytes yet")
                }
                guard Int64(object.size) <= attachment.size else {
                    try? await store.deleteObject(key: attachment.objectKey)
                    throw ReplyError(status: 400, code: .attachmentTooLarge,
                                     message: "attachment \(raw) is larger than its declared size")
                }
                try await attachments.markUploaded(id: id)
            }
            resolved.append(attachment.reference)
        }
        return resolved
    }

    /// `attachment; filename*=UTF-8''…` (RFC 6266 §4.3, RFC 8187).
    static func contentDisposition(_ filename: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        let encoded = filename.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        return "attachment; filename*=UTF-8''\(encoded)"
    }

    static func api(_ attachment: MessageAttachment) -> API.Attachment {
        API.Attachment(id: attachment.id.uuidString.lowercased(), filename: attachment.filename,
                       contentType: attachment.contentType, size: attachment.size)
    }
}
