/// Limits of one call (configuration `rtc.limits.*`, docs/configuration.md).
public struct CallLimits: Hashable, Sendable {
    /// Participants per call; a join beyond it is refused (`call_full`).
    public var maxParticipants: Int
    /// Tracks (accepted m-sections) per participant's `pub` connection; more are rejected with port 0.
    public var maxTracksPerParticipant: Int
    /// Bits/s announced to publishers in REMB (caps what their encoders send).
    public var publisherMaxBitrate: UInt64

    public init(maxParticipants: Int = 16, maxTracksPerParticipant: Int = 4, publisherMaxBitrate: UInt64 = 3_000_000) {
        self.maxParticipants = maxParticipants
        self.maxTracksPerParticipant = maxTracksPerParticipant
        self.publisherMaxBitrate = publisherMaxBitrate
    }
}
