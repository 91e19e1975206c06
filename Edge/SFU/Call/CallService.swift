import NIOCore

/// The signaling face of an edge's calls: what the gateway's `rtc.*` ops do, each hopping to
/// the call's event loop. `makeTransports` creates a participant's `pub` and `sub` transports
/// on that loop (`MediaServer.makeTransport`).
public final class CallService<Transport: CallTransport>: Sendable {
    public let registry: CallRegistry<Transport>
    private let makeTransports: @Sendable (any EventLoop) -> (pub: Transport, sub: Transport)

    public init(registry: CallRegistry<Transport>,
                makeTransports: @escaping @Sendable (any EventLoop) -> (pub: Transport, sub: Transport)) {
        self.registry = registry
        self.makeTransports = makeTransports
    }

    /// Joins `channel`'s call (created if needed); returns the participants already there.
    public func join(channel: String, participant: String, user: String,
                     listener: any ParticipantListener & Sendable) async throws -> [ParticipantInfo] {
        let makeTransports = self.makeTransports
        let others = try await registry.withCall(channel, create: true) { call in
            let (pub, sub) = makeTransports(call.eventLoop)
            do {
                return try call.join(id: participant, user: user, pub: pub, sub: sub, listener: listener)
            } catch {
                pub.close()
                sub.close()
                throw error
            }
        }
        guard let others else { throw CallError(.closed, "the call could not be joined; retry") }
        return others
    }

    /// The client's `pub` offer → the edge's answer.
    public func offer(channel: String, participant: String, sdp: String,
                      sources: [String: TrackSource]) async throws -> PublishResult {
        guard let answer = try await registry.withCall(channel, create: false, { call in
            try call.publish(participant, offer: sdp, sources: sources)
        }) else { throw CallError(.notJoined, "not in a call") }
        return answer
    }

    /// The client's answer to the edge's `sub` offer.
    public func answer(channel: String, participant: String, sdp: String) async throws {
        guard try await registry.withCall(channel, create: false, { call in
            try call.subscribeAnswer(participant, answer: sdp)
        }) != nil else { throw CallError(.notJoined, "not in a call") }
    }

    public func mute(channel: String, participant: String, track: String, muted: Bool) async throws {
        guard try await registry.withCall(channel, create: false, { call in
            try call.setMuted(participant, track: track, muted: muted)
        }) != nil else { throw CallError(.notJoined, "not in a call") }
    }

    public func quality(channel: String, participant: String, track: String, quality: VideoQuality) async throws {
        guard try await registry.withCall(channel, create: false, { call in
            try call.setQuality(participant, track: track, quality: quality)
        }) != nil else { throw CallError(.notJoined, "not in a call") }
    }

    /// Leaves (rtc.leave, WebSocket closed); the others hear `left` at once.
    public func leave(channel: String, participant: String) async {
        _ = try? await registry.withCall(channel, create: false) { call in call.leave(participant) }
    }

    /// Edge drain: every call ends.
    public func closeAll() async {
        await registry.closeAll()
    }
}
