/// One direction of an emulated link as a pure decision: given a packet's size, its arrival
/// time and a random draw, when it leaves the link, or that it is dropped. No clock reads and
/// no I/O (`Netem` owns the clock and the sockets). Times are nanoseconds on any monotonic clock.
public struct LinkShaper: Sendable {
    public enum Decision: Equatable, Sendable {
        /// Deliver at this time.
        case deliver(at: UInt64)
        /// Dropped by random loss.
        case lost
        /// Dropped because it would wait more than `queueMS` for the bandwidth.
        case queueFull
    }

    public let profile: LinkProfile
    /// When the bandwidth is free again.
    private var busyUntil: UInt64 = 0
    /// The last departure: jitter never reorders.
    private var lastDeparture: UInt64 = 0

    public init(profile: LinkProfile) {
        self.profile = profile
    }

    /// A packet of `bytes` arrived at `now`. `lossDraw` and `jitterDraw` are uniform in 0..<1.
    public mutating func admit(bytes: Int, now: UInt64, lossDraw: Double, jitterDraw: Double) -> Decision {
        if profile.loss > 0, lossDraw < profile.loss { return .lost }
        var sent = now
        if profile.rateKbps > 0 {
            let start = max(now, busyUntil)
            let transmit = UInt64(Double(bytes) * 8 / (profile.rateKbps * 1_000) * 1e9)
            guard start - now <= UInt64(profile.queueMS * 1e6) else { return .queueFull }
            busyUntil = start + transmit
            sent = busyUntil
        }
        let jitter = profile.jitterMS > 0 ? (jitterDraw * 2 - 1) * profile.jitterMS : 0
        let delay = UInt64(max(0, profile.delayMS + jitter) * 1e6)
        let departure = max(sent + delay, lastDeparture)
        lastDeparture = departure
        return .deliver(at: departure)
    }
}
