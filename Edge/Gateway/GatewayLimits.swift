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
    /// Admitted requests of one connection waiting to be performed (they are performed one
    /// at a time, in order); with this many waiting the edge stops reading the connection.
    /// Keep it above `opsBurst`, so a flood meets the rate limit (and 4029) before it meets
    /// backpressure.
    public var maxQueuedRequests = 128
    /// Longest SDP in `rtc.offer` / `rtc.answer` (bytes of UTF-8); it must fit in a frame.
    public var maxSDPBytes = 12 * 1_024
    /// `rtc.*` requests per second per connection, and the burst allowed (on top of the
    /// connection's request rate).
    public var rtcOpsPerSecond = 10.0
    public var rtcOpsBurst = 20.0

    public init() {}
}
