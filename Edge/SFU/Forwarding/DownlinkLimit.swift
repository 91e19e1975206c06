/// When a subscriber's downlink estimate (REMB) limits the layers it gets.
///
/// A REMB is computed from what the receiver gets: libwebrtc's receive-side estimator stays at
/// most 1.5 × the incoming rate + 10 kbit/s while it sees no overuse, and drops to 0.85 × the
/// incoming rate when it does (`AimdRateControl`). So it cannot say how much *more* a link
/// carries: taken as the capacity, a subscriber that starts on a low layer (150 kbit/s, REMB
/// ~235 kbit/s) would never be allowed the next one (500 kbit/s). The estimate therefore limits
/// only after it signalled congestion — it fell (by more than 5%) below both the previous
/// estimate and what the edge forwards to that subscriber — and for `hold` after the last such
/// signal, during which layers go back up as far as the latest estimate allows; otherwise the
/// subscriber's preference alone chooses. Pure: no clock (pass `now`, nanoseconds).
public struct DownlinkLimit: Sendable {
    /// How long a congestion signal keeps the estimate in force (nanoseconds).
    public let hold: UInt64
    /// The last estimate received, bits/s.
    public private(set) var estimate: UInt64?
    private var congestedAt: UInt64?

    public init(hold: UInt64 = 10_000_000_000) {
        self.hold = hold
    }

    /// A REMB arrived. `forwarded` is the bits/s the edge sent this subscriber over the last
    /// second (all its tracks).
    public mutating func estimateReceived(_ bitrate: UInt64, forwarded: UInt64, now: UInt64) {
        if let previous = estimate, bitrate < previous - previous / 20, bitrate < forwarded {
            congestedAt = now
        }
        estimate = bitrate
    }

    /// The bits/s the subscriber's layers must fit in now; nil = no limit.
    public func limit(now: UInt64) -> UInt64? {
        guard let congestedAt, now &- congestedAt < hold else { return nil }
        return estimate
    }

    /// Whether the estimate is in force now.
    public func isCongested(now: UInt64) -> Bool { limit(now: now) != nil }
}
