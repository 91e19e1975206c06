import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyProtocol

/// `POST /api/v1/videos` and the tus 1.0 server under `/api/v1/uploads` (core protocol plus
/// creation, creation-defer-length, termination and checksum; docs/api.md). The edge checks
/// the headers and the bearer token and maps each request to a `VideoLink` method on an
/// origin; PATCH bodies are streamed through (`UploadPatchProxy`), never buffered whole.
struct TusRoutes: Sendable {
    let pool: LinkPool
    let verifier: any AccessTokenVerifier
    let limits: UploadLimits
    /// The caller's better edge for `upload_url` (nil: this one).
    var edgeRouter: EdgeRouter? = nil
    /// Largest JSON body or origin error body handled.
    static let maxJSON = 64 * 1_024

    func register(on router: Router<EdgeRequestContext>) {
        let api = router.group("api/v1")
        api.post("videos") { request, context in try await createVideo(request, clientIP: context.clientIP) }
        api.on("uploads", method: .options) { request, _ in options(request) }
        api.on("uploads/:id", method: .options) { request, _ in options(request) }
        api.post("uploads") { request, _ in await tus(request) { user in try await creation(request, user) } }
        api.head("uploads/:id") { request, context in
            await tus(request) { user in try await head(request, user, id: try videoID(context)) }
        }
        api.patch("uploads/:id") { request, context in
            await tus(request) { user in
                try await UploadPatchProxy(pool: pool, limits: limits).patch(request, user: user, video: try videoID(context))
            }
        }
        api.delete("uploads/:id") { request, context in
            await tus(request) { user in try await terminate(request, user, id: try videoID(context)) }
        }
    }

    /// Checks `Tus-Resumable` (412) and the bearer token (401), then runs `body`; every
    /// failure becomes a tus answer.
    private func tus(_ request: Request, _ body: (VerifiedUser) async throws -> Response) async -> Response {
        guard request.headers[TusResponse.tusResumable] == TusHeaders.version else {
            return TusResponse.error(.preconditionFailed, .unsupportedVersion, "Tus-Resumable: \(TusHeaders.version) is required",
                                     request, [TusResponse.tusVersion: TusHeaders.version])
        }
        do {
            return try await body(try await verifier.authenticate(request))
        } catch let failure as EdgeHTTPError {
            return TusResponse.error(failure.status, failure.code, failure.message, request)
        } catch let invalid as TusHeaders.Invalid {
            return TusResponse.error(.badRequest, .badRequest, invalid.message, request)
        } catch {
            return TusResponse.error(.internalServerError, .internal, "upload request failed", request)
        }
    }

    private func videoID(_ context: EdgeRequestContext) throws -> String {
        guard let raw = context.parameters.get("id"), let id = UUID(uuidString: raw) else {
            throw EdgeHTTPError(.notFound, .notFound, "upload not found")
        }
        return id.uuidString.lowercased()
    }

    /// `upload_url` on the caller's better edge (their region's, `route.prefixes`), else `local`.
    func edgeURL(_ local: String, id: String, clientIP: String) -> String {
        edgeRouter?.absolute("/api/v1/uploads/\(id)", clientIP: clientIP).nilIfRelative ?? local
    }

    /// The tus resource of a video: under `public.url`, else the request's scheme and Host.
    func uploadURL(_ request: Request, id: String) -> String {
        if let base = limits.publicURL { return "\(base)/api/v1/uploads/\(id)" }
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] ?? request.head.scheme ?? "http"
        let host = request.headers[HTTPField.Name("X-Forwarded-Host")!] ?? request.head.authority ?? "localhost"
        return "\(scheme)://\(host)/api/v1/uploads/\(id)"
    }

    static func metadata(_ user: VerifiedUser, video: String? = nil) -> LinkMetadata {
        var metadata = OriginClient.metadata(for: user)
        if let video { metadata[VideoLink.Metadata.video] = video }
        return metadata
    }

    /// Asks an origin to create the video; its id, or the origin's error.
    private func create(_ user: VerifiedUser, _ body: VideoLinkBodies.Create) async throws -> Result<String, Response.OriginError> {
        let response: LinkResponse
        do {
            response = try await pool.request(VideoLink.Method.create, metadata: Self.metadata(user), body: JSONBody.encode(body))
        } catch {
            throw EdgeHTTPError(.serviceUnavailable, .unavailable, "no origin could take the request")
        }
        let bytes = try await response.body.collect(upTo: Self.maxJSON)
        guard response.status == 201 else { return .failure(.init(status: Int(response.status), body: bytes)) }
        guard let created = try? JSONDecoder().decode(VideoLinkBodies.Created.self, from: Data(bytes.readableBytesView)) else {
            throw EdgeHTTPError(.badGateway, .badOriginAnswer, "origin answer for \(VideoLink.Method.create) is malformed")
        }
        return .success(created.id)
    }

    /// `POST /api/v1/videos {title, size?}` → 201 `{id, upload_url}` (plain REST, not tus).
    private func createVideo(_ request: Request, clientIP: String) async throws -> Response {
        var request = request
        let user = try await verifier.authenticate(request)
        guard let bytes = try? await request.collectBody(upTo: Self.maxJSON),
              let body = try? JSONDecoder().decode(API.CreateVideo.self, from: Data(bytes.readableBytesView)) else {
            return EdgeHTTPError(.badRequest, .badRequest, "body must be {\"title\": \"…\", \"size\": bytes?, "
                                 + "\"visibility\": \"private\"|\"unlisted\"|\"public\"?}").response()
        }
        if let size = body.size, size > limits.maxBytes {
            return EdgeHTTPError(.contentTooLarge, .tooLarge, "uploads are limited to \(limits.maxBytes) bytes").response()
        }
        switch try await create(user, VideoLinkBodies.Create(title: body.title, size: body.size, visibility: body.visibility)) {
        case .success(let id):
            return Response(status: .created, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: JSONBody.encode(API.VideoCreated(
                                id: id, uploadURL: edgeURL(uploadURL(request, id: id), id: id, clientIP: clientIP)))))
        case .failure(let error):
            return Response(status: .init(code: error.status), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: error.body))
        }
    }

    /// tus creation: `POST /api/v1/uploads` with `Upload-Length` or `Upload-Defer-Length: 1`.
    private func creation(_ request: Request, _ user: VerifiedUser) async throws -> Response {
        let length = try TusHeaders.creationLength(length: request.headers[TusResponse.uploadLength],
                                                    deferLength: request.headers[TusResponse.uploadDeferLength])
        if let length, length > limits.maxBytes {
            throw EdgeHTTPError(.contentTooLarge, .tooLarge, "uploads are limited to \(limits.maxBytes) bytes")
        }
        let raw = request.headers[TusResponse.uploadMetadata]
        let metadata = try TusHeaders.metadata(raw)
        let create = VideoLinkBodies.Create(title: TusHeaders.title(metadata), size: length, uploadMetadata: raw)
        switch try await self.create(user, create) {
        case .success(let id):
            return TusResponse.empty(.created, request, [.location: uploadURL(request, id: id)])
        case .failure(let error):
            return TusResponse.passOn(status: error.status, body: error.body, request)
        }
    }

    /// tus HEAD: `Upload-Offset`, `Upload-Length` or `Upload-Defer-Length: 1`, no caching.
    private func head(_ request: Request, _ user: VerifiedUser, id: String) async throws -> Response {
        let response: LinkResponse
        do {
            response = try await pool.request(VideoLink.Method.status, metadata: Self.metadata(user, video: id), affinity: id)
        } catch {
            throw EdgeHTTPError(.serviceUnavailable, .unavailable, "no origin could take the request")
        }
        let bytes = try await response.body.collect(upTo: Self.maxJSON)
        guard response.status == 200, let offset = response.metadata[VideoLink.Metadata.offset] else {
            return TusResponse.passOn(status: Int(response.status), body: bytes, request)
        }
        var headers: HTTPFields = [TusResponse.uploadOffset: offset, .cacheControl: "no-store"]
        if let length = response.metadata[VideoLink.Metadata.length] {
            headers[TusResponse.uploadLength] = length
        } else {
            headers[TusResponse.uploadDeferLength] = "1"
        }
        return TusResponse.empty(.ok, request, headers)
    }

    /// tus termination: 204, then the upload is gone (404).
    private func terminate(_ request: Request, _ user: VerifiedUser, id: String) async throws -> Response {
        let response: LinkResponse
        do {
            response = try await pool.request(VideoLink.Method.delete, metadata: Self.metadata(user, video: id), affinity: id)
        } catch {
            throw EdgeHTTPError(.serviceUnavailable, .unavailable, "no origin could take the request")
        }
        let bytes = try await response.body.collect(upTo: Self.maxJSON)
        guard response.status == 204 else { return TusResponse.passOn(status: Int(response.status), body: bytes, request) }
        return TusResponse.empty(.noContent, request)
    }

    /// tus OPTIONS (also the CORS preflight): what this server supports. No auth needed.
    private func options(_ request: Request) -> Response {
        TusResponse.empty(.noContent, request, [
            TusResponse.tusVersion: TusHeaders.version,
            TusResponse.tusExtension: TusHeaders.extensions,
            TusResponse.tusMaxSize: String(limits.maxBytes),
            TusResponse.tusChecksumAlgorithm: TusHeaders.checksumAlgorithms.map(\.name).joined(separator: ","),
            .accessControlAllowMethods: "POST, HEAD, PATCH, DELETE, OPTIONS",
            .accessControlAllowHeaders: TusResponse.allowedHeaders,
            .accessControlMaxAge: "86400",
        ])
    }
}

extension Response {
    /// An origin's non-success answer, passed on.
    struct OriginError: Error {
        var status: Int
        var body: ByteBuffer
    }
}

extension String {
    /// Nil for a path (no scheme): the router kept it on this edge.
    fileprivate var nilIfRelative: String? { hasPrefix("/") ? nil : self }
}
