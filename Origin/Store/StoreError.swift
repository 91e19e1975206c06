/// The error every `StreamLyStore` API throws for expected failures.
///
/// `code` is an extensible set of static members (like NIO's wire codes), so callers can
/// switch on the ones they know and still represent new ones. The API layer maps codes to
/// HTTP statuses / WebSocket error events; `message` is safe to show to the client.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable error code. Its `rawValue` is what goes on the wire
    /// (`{error: {code, message}}`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The wire spelling, e.g. `"conflict"`.
        public let rawValue: String

        /// Creates a code from its wire spelling; unknown values are representable.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// A unique value already exists (duplicate username, …). HTTP 409.
        public static let conflict = Code("conflict")
        /// The addressed row does not exist (or is not visible to the caller). HTTP 404.
        public static let notFound = Code("not_found")
        /// The caller is known but not allowed to do this. HTTP 403.
        public static let forbidden = Code("forbidden")
        /// The input fails validation (username format, password length, limits). HTTP 400.
        public static let invalidInput = Code("invalid_input")
        /// Wrong credentials or an unusable refresh token. HTTP 401.
        public static let unauthorized = Code("unauthorized")
        /// An access token is syntactically fine and signed by us but past `exp`. HTTP 401.
        public static let tokenExpired = Code("token_expired")
        /// An access token is malformed, badly signed, uses another algorithm or issuer. HTTP 401.
        public static let invalidToken = Code("invalid_token")
        /// A refresh token that was already rotated was presented again: its whole family
        /// has been revoked (theft detection). HTTP 401.
        public static let refreshTokenReused = Code("refresh_token_reused")
        /// Too many requests for this account, or too many password hashes in progress: retry
        /// after `retryAfter`. HTTP 429 with `Retry-After`.
        public static let rateLimited = Code("rate_limited")
        /// The user has as many channels, uploads or attachments (or bytes) as they may. HTTP 403.
        public static let quotaExceeded = Code("quota_exceeded")
        /// PostgreSQL cannot answer now (it closed the connection under the work, e.g. on a
        /// restart): retry. HTTP 503.
        public static let unavailable = Code("unavailable")
        /// The store is misconfigured (bad database URL, short signing key). Not a client error.
        public static let configuration = Code("configuration")

        public var description: String { rawValue }
    }

    /// What went wrong, machine-readable.
    public var code: Code
    /// A human-readable explanation, safe to return to the client.
    public var message: String
    /// When a `.rateLimited` request may be retried.
    public var retryAfter: Duration?

    /// Creates an error with a code and a client-safe message.
    public init(_ code: Code, _ message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "StoreError(\(code.rawValue)): \(message)" }
}
