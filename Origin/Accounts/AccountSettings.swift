import NIOCore
import NIOPosix
import StreamLyConfig
import StreamLyRetry

/// Limits of the account methods on an origin (`auth.hash.*`, `auth.account.*`).
public struct AccountSettings: Sendable {
    /// Threads of the password-hashing pool (`auth.hash.threads`).
    public var hashThreads = max(1, System.coreCount / 2)
    /// Hashes that may wait for a thread before more are refused with 429 (`auth.hash.queue`).
    public var hashQueue = 64
    /// Log-in attempts per user name a minute (`auth.account.login.per.minute`).
    public var loginsPerMinute = 10
    /// Token refreshes per user a minute (`auth.account.refresh.per.minute`).
    public var refreshesPerMinute = 30

    public init() {}

    init(_ values: ConfigValues) throws {
        hashThreads = try values.int("auth.hash.threads", default: hashThreads, range: 1...256)
        hashQueue = try values.int("auth.hash.queue", default: hashQueue, range: 0...100_000)
        loginsPerMinute = try values.int("auth.account.login.per.minute", default: loginsPerMinute, range: 1...100_000)
        refreshesPerMinute = try values.int("auth.account.refresh.per.minute", default: refreshesPerMinute, range: 1...100_000)
    }
}
