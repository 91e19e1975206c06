/// How to reach Redis and how the client behaves when it cannot. Built once at start-up.
public struct RedisConfiguration: Sendable, Equatable {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Database selected with SELECT after connecting; nil keeps the server's default (0).
    public var database: Int?
    /// ACL user name for `AUTH user password`; nil sends `AUTH password` when a password is set.
    public var username: String?
    /// Password sent with AUTH after connecting; nil skips AUTH.
    public var password: String?
    /// How long a TCP connect may take.
    public var connectTimeout: Duration
    /// How long a command issued while disconnected waits for the reconnection before failing
    /// with `.unavailable`. Zero fails fast. The default rides out a Redis restart or fail-over
    /// (a few hundred milliseconds) without callers noticing, yet keeps callers from hanging.
    public var connectionWait: Duration
    /// The largest reply accepted; a bigger one closes the connection with `.replyTooLarge`.
    public var maxReplySize: Int
    /// Waits between reconnection attempts.
    public var backoff: RedisBackoff

    /// Creates a configuration; everything but host and port has a default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        database: Int? = nil,
        username: String? = nil,
        password: String? = nil,
        connectTimeout: Duration = .seconds(2),
        connectionWait: Duration = .seconds(2),
        maxReplySize: Int = 64 << 20,
        backoff: RedisBackoff = RedisBackoff()
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
        self.connectTimeout = connectTimeout
        self.connectionWait = connectionWait
        self.maxReplySize = maxReplySize
        self.backoff = backoff
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]` (IPv6 hosts in brackets,
    /// percent-encoded user and password). Other settings keep their defaults.
    public init(url: String) throws(RedisError) {
        self.init()
        let parsed = try RedisURL(parsing: url)
        host = parsed.host
        port = parsed.port
        database = parsed.database
        username = parsed.username
        password = parsed.password
    }
}

/// Exponential backoff with full jitter for reconnecting:
/// attempt n waits a random time in [floor, min(cap, base · 2ⁿ)].
public struct RedisBackoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    public var floor: Duration

    public init(base: Duration = .milliseconds(50), cap: Duration = .seconds(5), floor: Duration = .milliseconds(10)) {
        self.base = base
        self.cap = cap
        self.floor = floor
    }

    /// The upper bound of the wait before attempt `attempt` (0-based).
    public func ceiling(attempt: Int) -> Duration {
        let grown = base * (1 << min(max(attempt, 0), 30))
        return grown > cap || grown < .zero ? cap : grown
    }

    /// The wait before attempt `attempt`, with `unit` a uniform random number in [0, 1].
    public func delay(attempt: Int, unit: Double) -> Duration {
        max(floor, ceiling(attempt: attempt) * min(max(unit, 0), 1))
    }
}
