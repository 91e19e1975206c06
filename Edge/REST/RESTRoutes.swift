import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StreamLyAPI
import StreamLyRetry

/// The public REST API under `/api/v1` (docs/api.md). The edge authenticates bearer
/// tokens itself and forwards the work to an origin over the link.
struct RESTRoutes: Sendable {
    let origin: OriginClient
    let verifier: any AccessTokenVerifier
    /// Presence for the `online` flag of `GET /channels/{id}/members`.
    let presence: RedisPresence?
    /// Per-client-IP rates of the account endpoints.
    let limits: AuthRateLimits
    /// The caller's better edge for `playback_url` (nil: this one).
    var edgeRouter: EdgeRouter? = nil
    /// The edges whose pages may call this API cross-origin (`RESTCrossOrigin`).
    var edgeOrigins = KnownEdgeOrigins()
    /// Largest request body accepted.
    static let maxBody = 64 * 1_024

    func register(on router: Router<EdgeRequestContext>) {
        let api = router.group("api/v1").add(middleware: RESTCrossOrigin(known: edgeOrigins))
        for (path, method, limiter) in [("auth/signup", ChatLink.Method.signup, limits.signup),
                                        ("auth/login", ChatLink.Method.login, limits.login),
                                        ("auth/refresh", ChatLink.Method.refresh, limits.refresh)] {
            api.post(RouterPath(path)) { request, context in
                if let wait = limiter.acquire(context.clientIP) {
                    return Self.rateLimited(wait, "too many requests from your address; retry in \(wait.retryAfterSeconds) s")
                }
                return try await forward(method, request, context, auth: false)
            }
        }
        api.post("channels") { request, context in try await forward(ChatLink.Method.createChannel, request, context, auth: true) }
        api.get("channels") { request, context in
            let user = try await verifier.authenticate(request)
            let query = request.uri.queryParameters
            let list = ChatLinkBodies.ListChannels(cursor: query["cursor"].map(String.init),
                                                   limit: try Self.pageLimit(query["limit"], max: ChatLinkBodies.ListChannels.maxLimit))
            return respond(await origin.forward(ChatLink.Method.listChannels, user: user, body: JSONBody.encode(list)))
        }
        api.post("channels/:id/members") { request, context in
            let user = try await verifier.authenticate(request)
            let body = try await request.body.collect(upTo: Self.maxBody)
            guard let member = try? JSONDecoder().decode(API.AddMember.self, from: Data(body.readableBytesView)) else {
                return EdgeHTTPError(.badRequest, .badRequest, "body must be {\"user_id\": \"…\"}").response()
            }
            let channel = context.parameters.get("id") ?? ""
            return respond(await origin.forward(
                ChatLink.Method.addMember, user: user,
                body: JSONBody.encode(ChatLinkBodies.AddMember(channel: channel, userID: member.userID))))
        }
        api.get("videos/:id") { request, context in try await video(request, context) }
        api.get("videos") { request, _ in
            let user = try await verifier.authenticate(request)
            let query = request.uri.queryParameters
            var list = VideoLinkBodies.List(cursor: query["cursor"].map(String.init))
            if let owner = query["owner"] {
                guard owner == "me" else { throw EdgeHTTPError.badRequest("owner must be \"me\"") }
                list.owner = "me"
            }
            list.limit = try Self.pageLimit(query["limit"], max: VideoLinkBodies.List.maxLimit)
            return respond(await origin.forward(VODLink.Method.listVideos, user: user, body: JSONBody.encode(list)))
        }
        api.patch("videos/:id") { request, context in
            let user = try await verifier.authenticate(request)
            let body = try await request.body.collect(upTo: Self.maxBody)
            guard let update = try? JSONDecoder().decode(API.UpdateVideo.self, from: Data(body.readableBytesView)),
                  update.visibility != nil else {
                return EdgeHTTPError(.badRequest, .badRequest,
                                     "body must be {\"visibility\": \"private\"|\"unlisted\"|\"public\"}").response()
            }
            return respond(await origin.forward(VODLink.Method.updateVideo, user: user,
                                                metadata: [VODLink.Metadata.video: context.parameters.get("id") ?? ""],
                                                body: JSONBody.encode(update)))
        }
        api.delete("videos/:id") { request, context in
            let user = try await verifier.authenticate(request)
            let answer = await origin.forward(VODLink.Method.deleteVideo, user: user,
                                              metadata: [VODLink.Metadata.video: context.parameters.get("id") ?? ""],
                                              body: ByteBuffer(string: "{}"))
            guard answer.status != 204 else { return Response(status: .noContent) }
            return respond(answer)
        }
        api.post("channels/direct") { request, context in
            try await forward(ChatLink.Method.openDirect, request, context, auth: true)
        }
        api.get("channels/:id/members") { request, context in try await members(request, context) }
        api.get("users") { request, _ in
            let user = try await verifier.authenticate(request)
            let query = request.uri.queryParameters
            let lookup: API.UserLookup
            if let username = query["username"] {
                lookup = API.UserLookup(username: String(username))
            } else if let ids = query["ids"] {
                lookup = API.UserLookup(ids: ids.split(separator: ",").map(String.init))
            } else {
                throw EdgeHTTPError.badRequest("give ?username=NAME or ?ids=ID,ID,…")
            }
            return respond(await origin.forward(ChatLink.Method.lookupUsers, user: user, body: JSONBody.encode(lookup)))
        }
        api.post("attachments") { request, context in
            try await forward(AttachmentLink.Method.create, request, context, auth: true)
        }
        api.get("attachments/:id") { request, context in
            let user = try await verifier.authenticate(request)
            return respond(await origin.forward(
                AttachmentLink.Method.get, user: user,
                metadata: [AttachmentLink.Metadata.attachment: context.parameters.get("id") ?? ""], body: ByteBuffer(string: "{}")))
        }
        api.get("channels/:id/messages") { request, context in
            let user = try await verifier.authenticate(request)
            let query = request.uri.queryParameters
            func number(_ name: String) throws -> Int64? {
                guard let raw = query[name[...]] else { return nil }
                guard let value = Int64(raw), value >= 0 else { throw EdgeHTTPError.badRequest("\(name) must be a non-negative integer") }
                return value
            }
            let history = ChatLinkBodies.History(
                channel: context.parameters.get("id") ?? "", after: try number("after"), before: try number("before"),
                limit: try number("limit").map { Int(min($0, 500)) })
            return respond(await origin.forward(ChatLink.Method.history, user: user, body: JSONBody.encode(history)))
        }
        RESTCrossOrigin.answerOptions(on: router, through: api)
    }

    /// A paged list's `limit` query parameter: absent, or an integer in 1...`max` (else 400).
    static func pageLimit(_ raw: Substring?, max: Int) throws -> Int? {
        guard let raw else { return nil }
        guard let limit = Int(raw), (1...max).contains(limit) else {
            throw EdgeHTTPError.badRequest("limit must be an integer in 1-\(max)")
        }
        return limit
    }

    /// `GET /channels/{id}/members`: the origin's member list, each with `online` from presence.
    private func members(_ request: Request, _ context: EdgeRequestContext) async throws -> Response {
        let user = try await verifier.authenticate(request)
        let channel = API.ChannelRef(channel: context.parameters.get("id") ?? "")
        do {
            var list = try await origin.call(ChatLink.Method.listMembers, user: user, body: channel, as: API.MemberList.self)
            if let presence {
                for index in list.members.indices.prefix(200) {
                    list.members[index].online = await presence.isOnline(user: list.members[index].id)
                }
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: JSONBody.encode(list)))
        } catch let error as OriginClientError {
            return EdgeHTTPError(.init(code: error.status), error.code, error.message).response()
        }
    }

    /// `GET /videos/{id}`: the origin's state of the video.
    private func video(_ request: Request, _ context: EdgeRequestContext) async throws -> Response {
        let user = try await verifier.authenticate(request)
        let id = context.parameters.get("id") ?? ""
        do {
            var video = try await origin.call(VODLink.Method.getVideo, user: user, metadata: [VODLink.Metadata.video: id],
                                              body: [String: String](), as: API.Video.self)
            if let url = video.playbackURL, let edgeRouter {
                video.playbackURL = edgeRouter.absolute(url, clientIP: context.clientIP)
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: JSONBody.encode(video)))
        } catch let error as OriginClientError {
            return EdgeHTTPError(.init(code: error.status), error.code, error.message).response()
        }
    }

    private func forward(_ method: String, _ request: Request, _ context: EdgeRequestContext, auth: Bool) async throws -> Response {
        let user = auth ? try await verifier.authenticate(request) : nil
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            return EdgeHTTPError(.contentTooLarge, .tooLarge, "request body exceeds \(Self.maxBody) bytes").response()
        }
        return respond(await origin.forward(method, user: user, body: body))
    }

    /// The origin's answer as it is; a 429 gets its `Retry-After` header from the body's `retry_after`.
    private func respond(_ answer: (status: Int, body: ByteBuffer)) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if answer.status == 429 {
            let seconds = (try? JSONDecoder().decode(API.ErrorBody.self, from: Data(answer.body.readableBytesView)))?.error.retryAfter
            headers[.retryAfter] = String(seconds ?? 1)
        }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: answer.body))
    }

    /// 429 `rate_limited` with `Retry-After` (whole seconds) and the same in the body.
    static func rateLimited(_ wait: Duration, _ message: String) -> Response {
        let seconds = wait.retryAfterSeconds
        return Response(status: .tooManyRequests,
                        headers: [.contentType: "application/json", .retryAfter: String(seconds)],
                        body: .init(byteBuffer: JSONBody.encode(API.ErrorBody(code: .rateLimited, message: message,
                                                                              retryAfter: seconds))))
    }
}
