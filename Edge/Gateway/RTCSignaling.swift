import StreamLySFU

/// The edge's calls as the gateway uses them (`CallService` over the media server's
/// transports; a `CallService` over test doubles in unit tests). Signaling rate, not packet
/// rate: an existential here costs nothing that matters.
protocol RTCSignaling: Sendable {
    func join(channel: String, participant: String, user: String,
              listener: any ParticipantListener & Sendable) async throws -> [ParticipantInfo]
    func offer(channel: String, participant: String, sdp: String, sources: [String: TrackSource]) async throws -> PublishResult
    func answer(channel: String, participant: String, sdp: String) async throws
    func mute(channel: String, participant: String, track: String, muted: Bool) async throws
    func quality(channel: String, participant: String, track: String, quality: VideoQuality) async throws
    func leave(channel: String, participant: String) async
    func closeAll() async
}

extension CallService: RTCSignaling {}
