import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The one place the edge reads a client's token from an HTTP request: REST, tus, HLS and
/// the WebSocket upgrade all use it.
enum BearerToken {
    /// Where a route accepts the token.
    struct Sources: OptionSet, Sendable {
        let rawValue: Int
        /// `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
        static let authorizationHeader = Sources(rawValue: 1)
        /// `?token=<token>` (browsers cannot set headers on a WebSocket upgrade or a media element).
        static let queryParameter = Sources(rawValue: 2)
    }

    /// The token from the first source present, in the order header, query; nil if none.
    static func extract(from request: Request, sources: Sources) -> String? {
        extract(authorization: request.headers[.authorization], uri: request.uri, sources: sources)
    }

    /// The token from `authorization` (the header's value) or `uri`'s query, as above.
    static func extract(authorization: String?, uri: URI, sources: Sources) -> String? {
        if sources.contains(.authorizationHeader), let header = authorization, header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7))
        }
        if sources.contains(.queryParameter) {
            return uri.queryParameters["token"].map(String.init)
        }
        return nil
    }
}

extension AccessTokenVerifier {
    /// The user of a valid `Authorization: Bearer` access token; 401 `unauthorized` otherwise.
    func authenticate(_ request: Request) async throws(EdgeHTTPError) -> VerifiedUser {
        guard let token = BearerToken.extract(from: request, sources: .authorizationHeader) else {
            throw EdgeHTTPError(.unauthorized, .unauthorized, "missing bearer token")
        }
        do {
            return try await verify(token)
        } catch {
            throw EdgeHTTPError(.unauthorized, .unauthorized, "invalid or expired token")
        }
    }
}
