import Foundation
import Logging
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol
import StreamLyStorage
import StreamLyStore

/// Answers the video and upload methods edges call (VideoLink.Method): the origin side
/// of the tus server the edge speaks.
struct VideoRouter: Sendable {
    let videos: VideoStore
    let writer: UploadWriter
    let locks: UploadLocks
    /// Per-user limits on creating videos (`quota.*`).
    let quota: VideoStore.Quota
    /// How long a PATCH or DELETE waits for another writer of the same upload on this origin.
    static let lockWait = Duration.seconds(5)

    var finisher: UploadFinisher { writer.finisher }
    var settings: UploadSettings { writer.settings }

    /// Handles `request` if it is a video method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering(storage: ReplyError.storageUnavailable) {
            switch request.method {
            case VideoLink.Method.create: try await create(request)
            case VideoLink.Method.status: try await status(request)
            case VideoLink.Method.patch: try await patch(request)
            case VideoLink.Method.delete: try await delete(request)
            default: return false
            }
            return true
        }
    }

    private func create(_ request: LinkInboundRequest) async throws {
        let user = try request.user()
        let body = try await request.decode(VideoLinkBodies.Create.self)
        if let size = body.size {
            guard size >= 0 else { throw ReplyError.badRequest("size must be >= 0") }
            guard size <= settings.maxLength else {
                throw ReplyError(status: 413, code: .tooLarge, message: "uploads are limited to \(settings.maxLength) bytes")
            }
        }
        let video = try await videos.create(ownerID: user.id, title: body.title, uploadLength: body.size,
                                            uploadMetadata: body.uploadMetadata ?? "",
                                            visibility: body.visibility ?? .unlisted, quota: quota)
        try await request.reply(VideoLinkBodies.Created(id: video.id.uuidString.lowercased()), status: 201)
    }

    /// The caller's video named in the metadata; someone else's is "not found" too.
    private func ownedVideo(_ request: LinkInboundRequest) async throws -> Video {
        let user = try request.user()
        guard let raw = request.metadata[VideoLink.Metadata.video], let id = UUID(uuidString: raw),
              let video = try await videos.video(id: id), video.ownerID == user.id else {
            throw ReplyError.notFound("upload")
        }
        return video
    }

    private func status(_ request: LinkInboundRequest) async throws {
        var video = try await ownedVideo(request)
        if video.status == .uploading, video.upload.isComplete, locks.tryLock(video.id) {
            // The origin that stored the last byte died before assembling the source: finish here.
            defer { locks.unlock(video.id) }
            do {
                try await finisher.complete(video.id)
                video = try await videos.video(id: video.id) ?? video
            } catch {
                // The offset is still right; a later HEAD or PATCH tries again.
                writer.logger.warning("upload not assembled yet", metadata: ["video": "\(video.id)", "error": "\(error)"])
            }
        }
        try await request.responder.respond(status: 200, metadata: Self.metadata(video.upload))
    }

    static func metadata(_ upload: VideoUpload) -> LinkMetadata {
        var metadata: LinkMetadata = [VideoLink.Metadata.offset: String(upload.offset)]
        if let length = upload.length { metadata[VideoLink.Metadata.length] = String(length) }
        return metadata
    }

    private func patch(_ request: LinkInboundRequest) async throws {
        let metadata = request.metadata
        guard let offset = metadata[VideoLink.Metadata.offset].flatMap(Int64.init), offset >= 0 else {
            throw ReplyError.badRequest("offset must be a non-negative integer")
        }
        let declared = try metadata[VideoLink.Metadata.length].map { (raw: String) throws -> Int64 in
            guard let value = Int64(raw), value >= 0 else { throw ReplyError.badRequest("length must be a non-negative integer") }
            return value
        }
        let bodyLength = try metadata[VideoLink.Metadata.bodyLength].map { (raw: String) throws -> Int64 in
            guard let value = Int64(raw), value >= 0 else { throw ReplyError.badRequest("body-length must be a non-negative integer") }
            return value
        }
        let checksum = try metadata[VideoLink.Metadata.checksum].map { (raw: String) throws -> UploadChecksum in
            guard let checksum = UploadChecksum(raw) else { throw ReplyError.badRequest("unsupported or malformed checksum") }
            return checksum
        }
        let id = try await ownedVideo(request).id
        let stored: Int64? = try await locks.withLock(id, wait: Self.lockWait) { () async throws -> Int64 in
            var video = try await ownedVideo(request)
            if let declared {
                if video.upload.length == nil {
                    guard declared <= settings.maxLength else { throw UploadWriter.tooLarge(video) }
                    guard try await videos.declareLength(id: id, length: declared) else {
                        throw ReplyError(status: 409, code: .conflict, message: "the upload moved on; HEAD for its offset")
                    }
                    video.upload.length = declared
                } else if video.upload.length != declared {
                    throw ReplyError.badRequest("Upload-Length is \(video.upload.length!) and cannot change")
                }
            }
            guard offset == video.upload.offset else {
                throw ReplyError(status: 409, code: .offsetMismatch,
                                 message: "Upload-Offset \(offset) is not the upload's offset \(video.upload.offset)")
            }
            if let bodyLength, offset + bodyLength > (video.upload.length ?? settings.maxLength) {
                throw UploadWriter.tooLarge(video)
            }
            guard video.status == .uploading else { return offset }  // complete already; an empty PATCH
            return try await writer.write(video, checksum: checksum, bodyLength: bodyLength, body: request.body)
        }
        guard let stored else {
            throw ReplyError(status: 423, code: .locked, message: "another request is writing this upload; retry")
        }
        try await request.responder.respond(status: 204, metadata: [VideoLink.Metadata.offset: String(stored)])
    }

    private func delete(_ request: LinkInboundRequest) async throws {
        let id = try await ownedVideo(request).id
        let done: Bool? = try await locks.withLock(id, wait: Self.lockWait) { () async throws -> Bool in
            let video = try await ownedVideo(request)
            guard try await videos.delete(id: id) else { throw ReplyError.notFound("upload") }
            await finisher.deleteAll(video)
            return true
        }
        guard done != nil else {
            throw ReplyError(status: 423, code: .locked, message: "another request is writing this upload; retry")
        }
        try await request.responder.respond(status: 204)
    }
}
