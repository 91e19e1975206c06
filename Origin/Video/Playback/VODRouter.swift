import Logging
import Metrics
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol
import StreamLyStorage

/// Answers `vod.object` (`VODLink`): the object `vod/{video}/{path}` of the object store,
/// streamed to the edge in `chunkBytes` pieces (ranged reads), each written only as fast as
/// the edge grants link credit. Counts every request in `streamly_vod_object_requests_total`.
struct VODRouter: Sendable {
    let store: any ObjectStore
    let logger: Logger
    /// Size of each ranged read and body chunk.
    static let chunkBytes = 256 * 1_024

    /// Handles `request` if it is a VOD method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        guard request.method == VODLink.Method.object else { return false }
        guard let video = request.metadata[VODLink.Metadata.video], VODPath.isValidVideoID(video),
              let path = request.metadata[VODLink.Metadata.path].flatMap(VODPath.init)
        else {
            Self.count("bad_request")
            try await request.reply(ReplyError.badRequest("vod.object needs metadata video and path in the HLS grammar"))
            return true
        }
        let key = VODLink.objectKey(videoID: video, path: path)
        guard let info = try await store.headObject(key: key) else {
            Self.count("not_found")
            try await request.reply(ReplyError.notFound("object"))
            return true
        }
        Self.count("found")
        var metadata = LinkMetadata()
        metadata[VODLink.Metadata.contentType] = path.contentType
        metadata[VODLink.Metadata.etag] = info.etag
        metadata[VODLink.Metadata.contentLength] = String(info.size)
        let writer = try await request.responder.startResponse(status: 200, metadata: metadata)
        var offset = 0
        do {
            while offset < info.size {
                let last = min(offset + Self.chunkBytes, info.size) - 1
                let chunk = try await store.getObject(key: key, range: ObjectByteRange(offset...last))
                guard chunk.readableBytes == last - offset + 1 else {
                    throw S3Error(status: 500, code: .invalidResponse, message: "short read of \(key) at \(offset)", key: key)
                }
                offset = last + 1
                if offset >= info.size {
                    try await writer.finish(chunk)
                } else {
                    try await writer.write(chunk)
                }
            }
            if info.size == 0 { try await writer.finish() }
        } catch {
            // The head is out: all the edge can learn now is that the body broke off.
            logger.warning("vod object stream failed", metadata: ["key": "\(key)", "error": "\(error)"])
            writer.cancel(.internalError, reason: "object read failed")
        }
        return true
    }

    static func count(_ result: String) {
        Counter(label: "streamly_vod_object_requests_total", dimensions: [("result", result)]).increment()
    }
}
