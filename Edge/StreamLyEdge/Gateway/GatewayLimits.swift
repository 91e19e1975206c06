/// Limits on everything a WebSocket client controls (documented in docs/api.md).
public struct GatewayLimits: Sendable {
    /// Largest text frame accepted; larger ones close the connection with 1009.
    public var maxFrameBytes = 16 * 1_024
    /// Longest message body, in bytes of UTF-8.
    public var maxBodyBytes = 8 * 1_024
    /// Most attachments on one message.
    public var maxAttachments = 10
    /// Outbound bytes queued for a client before it is disconnected as too slow (4008).
    public var sendBufferBytes = 1 << 20
    /// Time to authenticate after connecting (4001 after it).
    public var authTimeout: Duration = .seconds(10)
    /// The edge pings every client this often; one that has not answered the previous
    /// ping by the next is closed (dead or idle connection).
    public var pingInterval: Duration = .seconds(30)
    /// Requests per second per connection, and the burst allowed.
    public var opsPerSecond = 50.0
    public var opsBurst = 100.0
    /// Publishes per second per user on this edge, and the burst allowed.
    public var publishesPerSecondPerUser = 30.0
    public var publishBurstPerUser = 60.0
    /// Channels one connection may subscribe to.
    public var maxSubscriptions = 200
    /// Videos one connection may watch.
    public var maxWatches = 50

    public init() {}
}

/// WebSocket close codes the gateway uses (RFC 6455 §7.4; 4000–4999 are ours).
public enum GatewayCloseCode {
    /// The edge is shutting down; reconnect (to it or another edge) and resume with `since`.
    public static let goingAway: UInt16 = 1001
    /// A frame was not valid (binary frames, invalid UTF-8).
    public static let unsupportedData: UInt16 = 1003
    /// A frame over the size limit.
    public static let messageTooBig: UInt16 = 1009
    /// An unexpected server failure.
    public static let internalError: UInt16 = 1011
    /// No valid `auth` in time, or the token was invalid or expired.
    public static let unauthorized: UInt16 = 4001
    /// The client read too slowly: its send buffer overflowed.
    public static let slowConsumer: UInt16 = 4008
    /// The client kept exceeding its rate limit.
    public static let rateLimited: UInt16 = 4029
}
