import StreamLyConfig
import StreamLyRetry

/// Per-client-IP rates of the account endpoints on one edge (`auth.ip.*`): `POST
/// /auth/signup`, `/auth/login` and `/auth/refresh`, each with a bucket of its own per IP.
/// Over the rate the edge answers 429 `rate_limited` with `Retry-After` itself, without
/// bothering an origin. Per-account rates are the origins' (`auth.account.*`).
struct AuthRateLimits: Sendable {
    let signup: SharedRateLimiter<String>
    let login: SharedRateLimiter<String>
    let refresh: SharedRateLimiter<String>

    /// Requests a minute per IP (defaults: 5 sign-ups, 30 log-ins, 60 refreshes).
    struct Settings: Sendable, Hashable {
        var signupsPerMinute = 5
        var loginsPerMinute = 30
        var refreshesPerMinute = 60
        /// Client IPs tracked at once (`auth.ip.max.tracked`).
        var maxTracked = 100_000

        init() {}

        init(_ values: ConfigValues) throws {
            signupsPerMinute = try values.int("auth.ip.signup.per.minute", default: signupsPerMinute, range: 1...100_000)
            loginsPerMinute = try values.int("auth.ip.login.per.minute", default: loginsPerMinute, range: 1...100_000)
            refreshesPerMinute = try values.int("auth.ip.refresh.per.minute", default: refreshesPerMinute, range: 1...100_000)
            maxTracked = try values.int("auth.ip.max.tracked", default: maxTracked, range: 100...10_000_000)
        }
    }

    init(_ settings: Settings) {
        signup = SharedRateLimiter(limit: .perMinute(settings.signupsPerMinute), maxKeys: settings.maxTracked)
        login = SharedRateLimiter(limit: .perMinute(settings.loginsPerMinute), maxKeys: settings.maxTracked)
        refresh = SharedRateLimiter(limit: .perMinute(settings.refreshesPerMinute), maxKeys: settings.maxTracked)
    }
}
