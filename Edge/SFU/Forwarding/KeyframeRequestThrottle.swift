/// Throttles keyframe requests (PLI/FIR) towards one publisher stream: at most one per
/// `interval` (LiveKit 500 ms–1 s, mediasoup re-asks after 1 s; SFU-NOTES §11), however many
/// subscribers switch or join at once.
public struct KeyframeRequestThrottle: Sendable {
    public let interval: UInt64
    private var lastRequest: UInt64?

    public init(interval: UInt64 = 500_000_000) {
        self.interval = interval
    }

    /// True (and the request is recorded) when a request may go upstream now.
    public mutating func shouldRequest(now: UInt64) -> Bool {
        if let lastRequest, now &- lastRequest < interval { return false }
        lastRequest = now
        return true
    }

    /// A keyframe arrived: the next request may go at once.
    public mutating func keyframeReceived() {
        lastRequest = nil
    }
}
