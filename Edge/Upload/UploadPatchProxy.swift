import Hummingbird
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol

/// A tus PATCH: checks its headers, then streams the body to an origin (`uploads.patch`)
/// chunk by chunk as link credit allows, so the edge holds at most a window of it. A body
/// cut short (the client went away, or fewer bytes than `Content-Length`) resets the link
/// stream, which tells the origin to keep what arrived (without a checksum) and stop.
struct UploadPatchProxy: Sendable {
    let pool: LinkPool
    let limits: UploadLimits


    func patch(_ request: Request, user: VerifiedUser, video: String) async throws -> Response {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
        guard contentType?.lowercased() == TusHeaders.patchContentType else {
            throw EdgeHTTPError(.unsupportedMediaType, .unsupportedMediaType, "Content-Type must be \(TusHeaders.patchContentType)")
        }
        guard let offset = TusHeaders.byteCount(request.headers[TusResponse.uploadOffset]) else {
            throw EdgeHTTPError.badRequest("Upload-Offset must be a non-negative integer")
        }
        var metadata = TusRoutes.metadata(user, video: video)
        metadata[VideoLink.Metadata.offset] = String(offset)
        if let raw = request.headers[TusResponse.uploadLength] {
            guard let length = TusHeaders.byteCount(raw) else { throw EdgeHTTPError.badRequest("Upload-Length must be a non-negative integer") }
            guard length <= limits.maxBytes else {
                throw EdgeHTTPError(.contentTooLarge, .tooLarge, "uploads are limited to \(limits.maxBytes) bytes")
            }
            metadata[VideoLink.Metadata.length] = String(length)
        }
        if let raw = request.headers[TusResponse.uploadChecksum] {
            metadata[VideoLink.Metadata.checksum] = try TusHeaders.checksum(raw)
        }
        let bodyLength = TusHeaders.byteCount(request.headers[.contentLength])
        if let bodyLength {
            guard offset + bodyLength <= limits.maxBytes else {
                throw EdgeHTTPError(.contentTooLarge, .tooLarge, "uploads are limited to \(limits.maxBytes) bytes")
            }
            metadata[VideoLink.Metadata.bodyLength] = String(bodyLength)
        }

        let stream: (writer: LinkBodyWriter, response: @Sendable () async throws -> LinkResponse)
        do {
            stream = try await pool.streamingRequest(VideoLink.Method.patch, metadata: metadata, affinity: video)
        } catch {
            throw EdgeHTTPError(.serviceUnavailable, .unavailable, "no origin could take the request")
        }
        let writer = stream.writer
        let answer: LinkResponse
        do {
            answer = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await Self.pump(request.body, to: writer, expected: bodyLength) }
                defer { group.cancelAll() }
                return try await stream.response()
            }
        } catch {
            writer.cancel(.cancel, reason: "upload interrupted")
            throw EdgeHTTPError(.serviceUnavailable, .unavailable, "the origin storing the upload went away; HEAD and resume")
        }
        let bytes = try await answer.body.collect(upTo: TusRoutes.maxJSON)
        guard answer.status == 204, let stored = answer.metadata[VideoLink.Metadata.offset] else {
            return TusResponse.passOn(status: Int(answer.status), body: bytes, request)
        }
        return TusResponse.empty(.noContent, request, [TusResponse.uploadOffset: stored])
    }

    /// Copies the client's body to the link stream; resets the stream when the body fails
    /// or ends short of `expected`.
    static func pump(_ body: RequestBody, to writer: LinkBodyWriter, expected: Int64?) async {
        var sent: Int64 = 0
        do {
            for try await chunk in body {
                sent += Int64(chunk.readableBytes)
                try await writer.write(chunk)
            }
            if let expected, sent != expected {
                writer.cancel(.cancel, reason: "client body ended after \(sent) of \(expected) bytes")
                return
            }
            try await writer.finish()
        } catch {
            writer.cancel(.cancel, reason: "client body failed")
        }
    }
}
