import HTTPTypes
import Hummingbird

/// CORS for the REST API (`/api/v1`, docs/api.md "Cross-origin requests"): the web app served by
/// one edge calls another once it has moved there (its own edge drained or died). Page origins
/// allowed: the public origins of the edges the directory has listed (`KnownEdgeOrigins`). Not
/// every site: the account endpoints' per-address rates would otherwise be spread over every
/// visitor of a hostile page. Errors thrown by the routes get the headers too, so the page can
/// read them.
struct RESTCrossOrigin<Context: RequestContext>: RouterMiddleware {
    let known: KnownEdgeOrigins
    static var allowedMethods: String { "GET, POST, DELETE" }
    static var allowedHeaders: String { "Authorization, Content-Type" }
    /// How long a browser may keep a preflight's answer.
    static var maxAge: String { "600" }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], known.contains(origin) else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .accessControlAllowMethods: Self.allowedMethods,
                .accessControlAllowHeaders: Self.allowedHeaders, .accessControlMaxAge: Self.maxAge, .vary: "Origin",
            ])
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "Retry-After"
        response.headers[.vary] = "Origin"
        return response
    }
}

extension RESTCrossOrigin {
    /// Makes every route registered so far under `group`'s path (`/api/v1/`) answer OPTIONS,
    /// through `group` (so its `RESTCrossOrigin` answers the CORS preflight of an allowed
    /// origin); other OPTIONS requests get the methods the path takes. Paths with an OPTIONS
    /// route of their own (tus) keep it.
    static func answerOptions(on router: Router<Context>, through group: RouterGroup<Context>, prefix: String = "/api/v1/") {
        var methods: [String: [String]] = [:]
        for route in router.routes where route.path.description.hasPrefix(prefix) {
            methods[String(route.path.description.dropFirst(prefix.count)), default: []].append(route.method.rawValue)
        }
        for (path, taken) in methods where !taken.contains("OPTIONS") {
            let allow = (taken + ["OPTIONS"]).sorted().joined(separator: ", ")
            group.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent, headers: [.allow: allow]) }
        }
    }
}
