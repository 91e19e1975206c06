import Crypto
import Hummingbird
import Metrics
import NIOCore
import StreamLyAPI
import StreamLyTokens

/// HLS delivery: `GET|HEAD|OPTIONS /vod/{video_id}/{path}` (docs/hls.md). Checks the path
/// grammar (`VODPath`, else 404) and the playback token (`?token=`, else 403), then answers
/// from `VODCache` with validators, byte ranges and CORS. Playlists are rewritten per
/// request so relative URIs carry the token on.
struct HLSRoutes: Sendable {
    let cache: VODCache
    let tokens: VerifiedTokens
    /// Videos deleted by their owners: their tokens are refused.
    let revocations: VODRevocations
    /// `Cache-Control` max-age of playlists, in seconds.
    let playlistMaxAge: Int
    let bytesServed = Counter(label: "streamly_vod_bytes_served_total")

    static let immutable = "public, max-age=31536000, immutable"

    init(cache: VODCache, tokens: PlaybackTokenCodec, playlistMaxAge: Int, revocations: VODRevocations = VODRevocations()) {
        self.cache = cache
        self.revocations = revocations
        self.tokens = VerifiedTokens(codec: tokens)
        self.playlistMaxAge = playlistMaxAge
    }

    func register(on router: Router<EdgeRequestContext>) {
        router.on("vod/:video/**", method: .get) { request, context in await serve(request, context, head: false) }
        router.on("vod/:video/**", method: .head) { request, context in
            Self.withoutBody(await serve(request, context, head: true))
        }
        router.on("vod/:video/**", method: .options) { request, _ in Self.preflight(request) }
    }

    func serve(_ request: Request, _ context: EdgeRequestContext, head: Bool) async -> Response {
        guard let video = context.parameters.get("video"), VODPath.isValidVideoID(video),
              let path = VODPath(components: context.parameters.getCatchAll())
        else {
            return Self.error(.notFound, "not_found", "no such file")
        }
        guard let token = BearerToken.extract(from: request, sources: .queryParameter) else {
            return Self.error(.forbidden, "forbidden", "a playback token is required (?token=)")
        }
        do {
            _ = try tokens.verify(token, videoID: video)
        } catch {
            return Self.error(.forbidden, error.code.rawValue, error.message)
        }
        guard !revocations.isRevoked(video) else {
            return Self.error(.notFound, "not_found", "the video was deleted")
        }
        let lookup: VODCache.Lookup
        do {
            lookup = try await cache.object(VODObjectKey(videoID: video, path: path))
        } catch let error as VODError {
            return Self.error(.init(code: error.httpStatus), error.code.rawValue, error.message)
        } catch {
            return Self.error(.badGateway, VODError.Code.badOrigin.rawValue, "origin fetch failed")
        }
        guard case .found(let object) = lookup else {
            return Self.error(.notFound, "not_found", "no such file")
        }
        var body = object.body
        var etag = object.etag
        if path.isPlaylist {
            body = PlaylistRewriter.rewrite(body, token: token)
            // The rewritten body depends on the token: so must its validator.
            etag += "-" + hex(SHA256.hash(data: Array(token.utf8)).prefix(6))
        }
        let quoted = "\"\(etag)\""
        var headers: HTTPFields = [
            .contentType: path.contentType,
            .eTag: quoted,
            .acceptRanges: "bytes",
            .cacheControl: path.isPlaylist ? "private, max-age=\(playlistMaxAge)" : Self.immutable,
        ]
        Self.addCORS(&headers)
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        var range = ByteRangeRequest(header: request.headers[.range], size: body.readableBytes)
        if let ifRange = request.headers[.ifRange], ifRange.trimmingSpaces != quoted { range = .whole }
        let status: HTTPResponse.Status
        switch range {
        case .whole:
            status = .ok
        case .partial(let bytes):
            status = .partialContent
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(body.readableBytes)"
            body = body.getSlice(at: body.readerIndex + bytes.lowerBound, length: bytes.count) ?? ByteBuffer()
        case .unsatisfiable:
            var response = Self.error(.rangeNotSatisfiable, "range_not_satisfiable",
                                      "no byte of the range is within 0-\(max(0, body.readableBytes - 1))")
            response.headers[.contentRange] = "bytes */\(body.readableBytes)"
            response.headers[.acceptRanges] = "bytes"
            response.headers[.eTag] = quoted
            return response
        }
        headers[.contentLength] = String(body.readableBytes)
        if head { return Response(status: status, headers: headers, body: ResponseBody()) }
        bytesServed.increment(by: body.readableBytes)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// A HEAD answer: the GET headers (error answers included) and no body (RFC 9110 §9.3.2).
    static func withoutBody(_ response: Response) -> Response {
        var response = response
        if let length = response.body.contentLength, length > 0 {
            response.body = ResponseBody()
            // Setting the body reset Content-Length to 0: announce the GET's length again.
            response.headers[.contentLength] = String(length)
        }
        return response
    }

    /// Weak comparison of `If-None-Match` against `etag` (RFC 9110 §13.1.2).
    static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingSpaces
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            return tag == "\"\(etag)\""
        }
    }

    static func addCORS(_ headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = "*"
        headers[.accessControlExposeHeaders] = "Content-Length, Content-Range, ETag, Accept-Ranges"
    }

    /// CORS preflight (no token needed: it carries no credentials and reveals nothing).
    static func preflight(_ request: Request) -> Response {
        var headers: HTTPFields = [
            .accessControlAllowOrigin: "*",
            .accessControlAllowMethods: "GET, HEAD, OPTIONS",
            .accessControlAllowHeaders: request.headers[.accessControlRequestHeaders] ?? "Range, If-None-Match, If-Range",
            .accessControlMaxAge: "86400",
        ]
        headers[.contentLength] = "0"
        return Response(status: .noContent, headers: headers)
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        var response = EdgeHTTPError(status, API.ErrorCode(code), message).response()
        addCORS(&response.headers)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
