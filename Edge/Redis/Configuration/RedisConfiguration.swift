import StreamLyRetry
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
    public var backoff: RetryPolicy

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
        backoff: RetryPolicy = .redisReconnect
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
