import Foundation
import StreamLyRetry

/// Per-account rates of the `/auth/*` methods on one origin (`auth.account.*`): log-ins per
/// user name (whether or not it exists, so the answer reveals nothing) and refreshes per user.
/// Over the rate a request is refused with `.rateLimited` (HTTP 429) and when to retry.
/// The counters live in the origin's memory: with N origins an account gets at most N times
/// the rate. Per-IP limits are the edges' (`auth.ip.*`).
public struct AccountLimits: Sendable {
    private let logins: SharedRateLimiter<String>
    private let refreshes: SharedRateLimiter<UUID>

    /// `login` attempts per user name and `refresh` calls per user (defaults: 10 and 30 a minute).
    public init(login: RateLimit = .perMinute(10), refresh: RateLimit = .perMinute(30), maxKeys: Int = 100_000) {
        logins = SharedRateLimiter(limit: login, maxKeys: maxKeys)
        refreshes = SharedRateLimiter(limit: refresh, maxKeys: maxKeys)
    }

    func checkLogin(username: String) throws {
        if let wait = logins.acquire(username) {
            throw StoreError(.rateLimited, "too many log-in attempts for this account; retry in \(wait.retryAfterSeconds) s",
                             retryAfter: wait)
        }
    }

    func checkRefresh(userID: UUID) throws {
        if let wait = refreshes.acquire(userID) {
            throw StoreError(.rateLimited, "too many token refreshes for this account; retry in \(wait.retryAfterSeconds) s",
                             retryAfter: wait)
        }
    }
}
