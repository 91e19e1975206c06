import Foundation
import Logging
import NIOCore
import StreamLyLink
import StreamLyStorage
import StreamLyStore

/// Size limits of uploads (`vod.upload.*`).
struct UploadSettings: Sendable {
    /// S3 part size: every part but the last has exactly this many bytes (≥ 5 MiB).
    var partSize: Int64
    /// Largest upload accepted.
    var maxLength: Int64
}

/// Stores one PATCH body: streams it into fixed-size S3 parts of the video's multipart
/// upload, keeps the bytes past the last whole part as a tail object, and advances the
/// stored offset by compare-and-set (`StateMachine` decides, this type does the I/O).
struct UploadWriter: Sendable {
    let videos: VideoStore
    let objects: any ObjectStore
    let settings: UploadSettings
    let hooks: UploadHooks
    let finisher: UploadFinisher
    let logger: Logger

    /// Why a PATCH stopped early; the stored offset covers what was saved.
    enum Stop: Error {
        /// The link stream failed (the client or the edge went away).
        case interrupted
    }

    /// Appends `body` to `video`'s upload at its stored offset; returns the new offset.
    /// - Throws: `ReplyError` (409 another writer moved first, 413 past the length, 460
    ///   checksum mismatch), `Stop.interrupted`, or a storage/database error.
    func write(_ video: Video, checksum: UploadChecksum?, bodyLength: Int64?, body: LinkBody) async throws -> Int64 {
        let keys = UploadKeys(video: video.id)
        var machine = StateMachine(offset: video.upload.offset, length: video.upload.length, maxLength: settings.maxLength,
                                   partSize: settings.partSize, verifying: checksum != nil)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Int(settings.partSize))
        if let tail = machine.tailToLoad {
            let bytes: ByteBuffer
            do {
                bytes = try await objects.getObject(key: keys.tail(tail.offset))
            } catch let error as S3Error where error.code == .noSuchKey {
                throw ReplyError(status: 409, code: .conflict, message: "the upload moved on; HEAD for its offset")
            }
            guard bytes.readableBytes == tail.count else {
                throw ReplyError(status: 500, code: .internal, message: "tail object of \(tail.count) bytes has \(bytes.readableBytes)")
            }
            buffer.writeImmutableBuffer(bytes)
        }
        var multipartID = video.upload.multipartID
        var hasher = checksum.map { UploadChecksum.Hasher($0.algorithm) }
        var received: Int64 = 0
        var interrupted = false
        var overflow = false

        var chunks = body.makeAsyncIterator()
        reading: while true {
            let next: ByteBuffer?
            do { next = try await chunks.next() } catch {
                interrupted = true
                break
            }
            guard var chunk = next else { break }
            while chunk.readableBytes > 0 {
                let room = machine.room
                guard room > 0 else {
                    overflow = true
                    break reading
                }
                let piece = chunk.readSlice(length: Int(min(room, Int64(chunk.readableBytes))))!
                hasher?.update(piece)
                buffer.writeImmutableBuffer(piece)
                received += Int64(piece.readableBytes)
                guard case .uploadPart(let number) = machine.received(Int64(piece.readableBytes)) else { continue }
                if multipartID == nil { multipartID = try await startMultipart(video.id, from: machine.committed, keys: keys) }
                let etag = try await objects.uploadPart(key: keys.source, uploadID: multipartID!, partNumber: number, bytes: buffer)
                buffer.clear()
                if case .commit(let commit) = machine.partUploaded(number: number, etag: etag) {
                    try await self.commit(commit, video: video, multipartID: multipartID, machine: &machine, keys: keys)
                }
            }
        }
        if let bodyLength, !overflow, received != bodyLength { interrupted = true }

        let matched = hasher.map { $0.finalize() == checksum?.digest }
        switch machine.ended(interrupted: interrupted || overflow, checksumMatched: matched) {
        case .discard:
            if overflow { throw Self.tooLarge(video) }
            if interrupted { throw Stop.interrupted }
            throw ReplyError(status: 460, code: .checksumMismatch,
                             message: "the body does not match Upload-Checksum; none of its bytes were stored")
        case .save(let commit, let complete):
            if let commit {
                if let tail = commit.tail {
                    try await objects.putObject(key: keys.tail(tail), bytes: buffer, contentType: nil)
                }
                try await self.commit(commit, video: video, multipartID: multipartID, machine: &machine, keys: keys)
            }
            if overflow { throw Self.tooLarge(video) }
            if complete { try await finisher.complete(video.id) }
            if interrupted { throw Stop.interrupted }
        }
        return machine.committed
    }

    static func tooLarge(_ video: Video) -> ReplyError {
        ReplyError(status: 413, code: .tooLarge, message: video.upload.length.map { "the upload is \($0) bytes long" }
                    ?? "the upload would exceed the size limit")
    }

    /// Creates the multipart upload and records its id at once, so no later writer starts another.
    private func startMultipart(_ id: UUID, from offset: Int64, keys: UploadKeys) async throws -> String {
        let uploadID = try await objects.createMultipartUpload(key: keys.source, contentType: nil)
        guard try await videos.advanceUpload(id: id, from: offset, to: offset, multipartID: uploadID, newParts: [:]) else {
            try? await objects.abortMultipartUpload(key: keys.source, uploadID: uploadID)
            throw ReplyError(status: 409, code: .conflict, message: "the upload moved on; HEAD for its offset")
        }
        return uploadID
    }

    /// Advances the stored offset (compare-and-set), then drops the superseded tail.
    private func commit(_ commit: StateMachine.Commit, video: Video, multipartID: String?,
                        machine: inout StateMachine, keys: UploadKeys) async throws {
        guard try await videos.advanceUpload(id: video.id, from: commit.from, to: commit.to, multipartID: multipartID,
                                             newParts: commit.parts) else {
            throw ReplyError(status: 409, code: .conflict, message: "the upload moved on; HEAD for its offset")
        }
        machine.committed(commit)
        if let old = machine.superseded(by: commit) {
            do { try await objects.deleteObject(key: keys.tail(old)) } catch {
                logger.debug("superseded tail not deleted", metadata: ["key": "\(keys.tail(old))", "error": "\(error)"])
            }
        }
        await hooks.progress(video.id, commit.to, video.upload.length)
    }
}
