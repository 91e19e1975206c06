import Foundation
import Logging
import NIOCore
import StreamLyStorage
import StreamLyStore

/// Turns a fully stored upload into the object `uploads/{id}/source` and the video into
/// `queued`. Works from the durable state alone, so whoever finds an upload with
/// offset == length still `uploading` (the PATCH that stored the last byte, or a later HEAD
/// after that origin died) can finish it; doing it twice is harmless.
struct UploadFinisher: Sendable {
    let videos: VideoStore
    let objects: any ObjectStore
    let partSize: Int64
    let hooks: UploadHooks
    let logger: Logger

    func complete(_ id: UUID) async throws {
        guard let video = try await videos.video(id: id), video.status == .uploading,
              let length = video.upload.length, video.upload.offset == length else { return }
        let keys = UploadKeys(video: id)
        let count = Int((length + partSize - 1) / partSize)
        var parts = video.upload.parts
        func hasAll(_ upTo: Int) -> Bool { upTo < 1 || (1...upTo).allSatisfy { video.upload.parts[$0] != nil } }
        if length == 0 {
            try await objects.putObject(key: keys.source, bytes: ByteBuffer(), contentType: nil)
        } else if hasAll(count), let uploadID = video.upload.multipartID {
            try await assemble(keys, uploadID: uploadID, parts: parts, count: count, length: length)
        } else if hasAll(count - 1) {
            // The last, partial part is still the tail object (e.g. a deferred length declared
            // at the current offset).
            let tail = try await objects.getObject(key: keys.tail(length))
            if count == 1 {
                try await objects.putObject(key: keys.source, bytes: tail, contentType: nil)
                if let uploadID = video.upload.multipartID {
                    try? await objects.abortMultipartUpload(key: keys.source, uploadID: uploadID)
                }
            } else {
                guard let uploadID = video.upload.multipartID else {
                    throw ReplyError(status: 500, code: .internal, message: "upload \(id) has parts but no multipart upload")
                }
                let etag = try await objects.uploadPart(key: keys.source, uploadID: uploadID, partNumber: count, bytes: tail)
                guard try await videos.advanceUpload(id: id, from: length, to: length, multipartID: nil, newParts: [count: etag]) else {
                    return  // finished or terminated meanwhile
                }
                parts[count] = etag
                try await assemble(keys, uploadID: uploadID, parts: parts, count: count, length: length)
            }
        } else {
            throw ReplyError(status: 500, code: .internal, message: "upload \(id) is missing parts")
        }
        if try await videos.finishUpload(id: id) {
            await hooks.completed(id)
        }
        await deleteTails(keys)
    }

    /// CompleteMultipartUpload; a second call (the upload is gone) is fine if the object is there.
    private func assemble(_ keys: UploadKeys, uploadID: String, parts: [Int: String], count: Int, length: Int64) async throws {
        let list = (1...count).map { CompletedPart(partNumber: $0, etag: parts[$0]!) }
        do {
            try await objects.completeMultipartUpload(key: keys.source, uploadID: uploadID, parts: list)
        } catch let error as S3Error where error.code == .noSuchUpload {
            guard let info = try await objects.headObject(key: keys.source), info.size == length else { throw error }
        }
    }

    /// Best effort: the tails are not needed once the source exists.
    private func deleteTails(_ keys: UploadKeys) async {
        do {
            for object in try await objects.listObjects(prefix: keys.prefix + "tail-").objects {
                try await objects.deleteObject(key: object.key)
            }
        } catch {
            logger.debug("tails not deleted", metadata: ["prefix": "\(keys.prefix)", "error": "\(error)"])
        }
    }

    /// Best effort: aborts the multipart upload and deletes every object of the upload.
    func deleteAll(_ video: Video) async {
        let keys = UploadKeys(video: video.id)
        if let uploadID = video.upload.multipartID {
            try? await objects.abortMultipartUpload(key: keys.source, uploadID: uploadID)
        }
        do {
            var token: String?
            repeat {
                let page = try await objects.listObjects(prefix: keys.prefix, continuationToken: token, maxKeys: 1000)
                for object in page.objects { try await objects.deleteObject(key: object.key) }
                token = page.nextContinuationToken
            } while token != nil
        } catch {
            logger.warning("upload objects not deleted", metadata: ["prefix": "\(keys.prefix)", "error": "\(error)"])
        }
    }
}
