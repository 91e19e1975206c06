import Foundation
import StreamLyAPI
import StreamLySFU

extension Gateway {
    /// Performs one `rtc.*` request.
    func performRTC(_ session: GatewaySession, id: RequestID?, user: GatewaySessionStateMachine.User,
                    request: RTCRequest, call membership: CallMembership?) async {
        guard let calls else {
            session.enqueue(GatewayEvents.error(id: id, code: .notSupported, message: "calls are not enabled on this edge"))
            return
        }
        do {
            switch request {
            case .join(let channel):
                try await authorizeCall(user: user, channel: channel)
                let membership = CallMembership(channel: channel, participant: UUID().uuidString.lowercased())
                // Registered before joining, so a WebSocket that closes meanwhile still leaves; counted
                // in the directory with it: whoever ends the membership (rtc.leave, the connection's
                // end, the edge removing the participant) uncounts it, once.
                session.state.withLock { $0.machine.joinedCall(membership) }
                directory?.participantJoined(call: channel)
                let listener = RTCSessionListener(session: session, membership: membership, directory: directory)
                do {
                    let others = try await calls.join(channel: channel, participant: membership.participant, user: user.id,
                                                      listener: listener)
                    let better = (edgeRouter?.configuration.redirectJoins ?? false)
                        ? edgeRouter?.betterEdge(clientIP: session.clientIP).map(EdgeRouter.view) : nil
                    session.enqueue(RTCEvents.joined(id: id, channel: channel, participant: membership.participant, others: others,
                                                     betterEdge: better))
                    // The connection closed (and left, uncounting it) while joining: leave now.
                    if session.state.withLock({ $0.machine.call }) != membership {
                        await calls.leave(channel: channel, participant: membership.participant)
                    }
                } catch {
                    if session.state.withLock({ $0.machine.leftCall(participant: membership.participant) }) != nil {
                        directory?.participantLeft(call: channel)
                    }
                    throw error
                }
            case .offer(let sdp, let sources):
                guard let membership else { return }
                let answer = try await calls.offer(channel: membership.channel, participant: membership.participant,
                                                   sdp: sdp, sources: sources)
                session.enqueue(RTCEvents.answer(id: id, result: answer))
            case .answer(let sdp):
                guard let membership else { return }
                try await calls.answer(channel: membership.channel, participant: membership.participant, sdp: sdp)
            case .candidate:
                // ICE-lite: the edge learns the client's address from its checks (RFC 8445 §2.5).
                break
            case .mute(let track, let muted):
                guard let membership else { return }
                try await calls.mute(channel: membership.channel, participant: membership.participant, track: track, muted: muted)
            case .quality(let track, let quality):
                guard let membership else { return }
                try await calls.quality(channel: membership.channel, participant: membership.participant, track: track,
                                        quality: quality)
            case .leave:
                guard let membership else { return }
                let wasIn = session.state.withLock { $0.machine.leftCall(participant: membership.participant) } != nil
                await calls.leave(channel: membership.channel, participant: membership.participant)
                if wasIn { directory?.participantLeft(call: membership.channel) }
                session.enqueue(RTCEvents.left(id: id, channel: membership.channel, reason: nil))
            }
        } catch let error as CallError {
            session.enqueue(GatewayEvents.error(id: id, code: Self.apiCode(error.code), message: error.message))
        } catch let error as OriginClientError {
            session.enqueue(GatewayEvents.error(id: id, code: error.code, message: error.message))
        } catch {
            session.enqueue(GatewayEvents.error(id: id, code: .internal, message: "rtc request failed"))
        }
    }

    /// Whoever may read the channel may join its call: the origin's `messages.history` check
    /// (read access; private channels: members; direct: its two users) with a one-message page.
    private func authorizeCall(user: GatewaySessionStateMachine.User, channel: String) async throws {
        _ = try await origin.call(ChatLink.Method.history, user: verified(user),
                                  body: ChatLinkBodies.History(channel: channel, after: nil, before: nil, limit: 1))
    }

    /// The connection ended: leave its call, if any (the others hear `left` at once).
    func leaveCall(of session: GatewaySession) async {
        guard let calls, let membership = session.state.withLock({ $0.machine.call }) else { return }
        let wasIn = session.state.withLock { $0.machine.leftCall(participant: membership.participant) } != nil
        await calls.leave(channel: membership.channel, participant: membership.participant)
        if wasIn { directory?.participantLeft(call: membership.channel) }
    }

    static func apiCode(_ code: CallError.Code) -> API.ErrorCode {
        switch code {
        case .callFull: .callFull
        case .alreadyJoined: .alreadyInCall
        case .notJoined, .closed: .notInCall
        case .unknownTrack: .unknownTrack
        case .invalidSDP: .invalidSDP
        case .noOfferPending: .noOfferPending
        default: .internal
        }
    }
}
