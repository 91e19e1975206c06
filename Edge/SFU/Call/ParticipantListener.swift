/// What a participant's signaling hears from its call (the gateway session implements it).
/// Called on the call's event loop; implementations only enqueue frames.
public protocol ParticipantListener: AnyObject {
    func participant(_ other: ParticipantInfo, joined: Bool)
    func track(_ track: TrackInfo, of participant: String, changed state: TrackState)
    func speakers(_ speakers: [ActiveSpeakerDetector.Speaker])
    /// The edge offers (or re-offers) the `sub` connection.
    func subscribeOffer(_ sdp: String)
    /// The participant is removed from the call by the edge (transport failed, consent expired,
    /// call closed). `rejoin`: the call goes on elsewhere (the edge is draining): join it again
    /// through another edge.
    func removed(reason: String, rejoin: Bool)
}
