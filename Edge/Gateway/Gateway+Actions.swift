import Foundation
import NIOCore
import StreamLyAPI
import StreamLyProtocol

extension Gateway {
    /// Performs one state-machine action for `session`.
    func perform(_ action: GatewaySessionStateMachine.Action, session: GatewaySession) async {
        switch action {
        case .none:
            break
        case .sendError(let id, let code, let message):
            session.enqueue(GatewayEvents.error(id: id, code: code, message: message))
        case .close(let code, let reason):
            session.close(code: code, reason: reason)
        case .sendAuthenticated(let id, let user):
            session.enqueue(GatewayEvents.authenticated(id: id, userID: user.id, username: user.name))
        case .verifyToken(let id, let token):
            await authenticate(session, id: id, token: token)
        case .subscribe(let id, let user, let channel, let since):
            await subscribe(session, id: id, user: user, channel: channel, since: since)
        case .unsubscribe(let id, let channel):
            hub.unsubscribe(session, channel: channel)
            session.enqueue(GatewayEvents.unsubscribed(id: id, channel: channel))
        case .publish(let id, let user, let channel, let clientID, let body, let attachments):
            await publish(session, id: id, user: user, channel: channel, clientID: clientID, body: body, attachments: attachments)
        case .typing(let user, let channel):
            await presence.typing(user: verified(user), channel: channel)
        case .watch(let id, let user, let video):
            await watch(session, id: id, user: user, video: video)
        case .unwatch(let id, let video):
            watchers.remove(session, video: video)
            session.enqueue(GatewayEvents.unwatched(id: id, video: video))
        case .pong(let id):
            session.enqueue(GatewayEvents.pong(id: id))
        case .rtc(let id, let user, let request, let call):
            await performRTC(session, id: id, user: user, request: request, call: call)
        }
    }

    func verified(_ user: GatewaySessionStateMachine.User) -> VerifiedUser {
        VerifiedUser(id: user.id, name: user.name, expiresAt: 0)
    }

    private func authenticate(_ session: GatewaySession, id: RequestID?, token: String) async {
        let action: GatewaySessionStateMachine.Action
        do {
            let user = try await verifier.verify(token)
            let remaining = max(0, user.expiresAt - Date().timeIntervalSince1970)
            let expires = Self.now() + UInt64(remaining * 1e9)
            let wasAuthenticated = session.user != nil
            action = session.state.withLock {
                $0.machine.authenticated(.init(id: user.id, name: user.name, expires: expires), id: id)
            }
            if case .sendAuthenticated = action, !wasAuthenticated {
                await presence.connected(session: session.id, user: user)
            }
        } catch {
            action = session.state.withLock { $0.machine.authenticationFailed("invalid or expired token") }
        }
        await perform(action, session: session)
    }

    private func subscribe(_ session: GatewaySession, id: RequestID?, user: GatewaySessionStateMachine.User,
                           channel: String, since: Int64?) async {
        hub.beginSubscribe(session, channel: channel)
        do {
            let (response, body) = try await origin.call(
                ChatLink.Method.subscribe, user: verified(user),
                body: ChatLinkBodies.Subscribe(channel: channel, since: since))
            let lastSeq = response.metadata[ChatLink.Metadata.lastSeq].flatMap(Int64.init) ?? 0
            let recovered = response.metadata[ChatLink.Metadata.recovered] == "true"
            session.state.withLock { $0.machine.subscribed(channel) }
            session.enqueue(GatewayEvents.subscribed(id: id, channel: channel, seq: lastSeq, recovered: recovered))
            var replayedUpTo = since ?? lastSeq
            var lines = body
            while let line = lines.readNextLine() {
                session.enqueue(line.event)
                replayedUpTo = max(replayedUpTo, line.seq)
            }
            if !recovered { replayedUpTo = lastSeq }
            hub.completeSubscribe(session, channel: channel, lastSeq: lastSeq, replayedUpTo: replayedUpTo)
            await presence.subscribed(user: verified(user), channel: channel)
        } catch let error as OriginClientError {
            hub.unsubscribe(session, channel: channel)
            session.enqueue(GatewayEvents.error(id: id, code: error.code, message: error.message))
        } catch {
            hub.unsubscribe(session, channel: channel)
            session.enqueue(GatewayEvents.error(id: id, code: .internal, message: "subscribe failed"))
        }
    }

    /// Registers the watcher first (so no event slips between the read and the registration),
    /// then sends the video's current state as the first `video` event.
    private func watch(_ session: GatewaySession, id: RequestID?, user: GatewaySessionStateMachine.User, video: String) async {
        let alreadyWatching = watchers.isWatching(session, video: video)
        watchers.add(session, video: video)
        do {
            let current = try await origin.call(VODLink.Method.getVideo, user: verified(user),
                                                metadata: [VODLink.Metadata.video: video], body: [String: String](),
                                                as: API.Video.self)
            session.state.withLock { $0.machine.watching(video) }
            watchers.activate(session, video: video, snapshot: GatewayEvents.video(API.VideoEvent(
                id: current.id, status: current.status, progress: current.progress, error: current.error)))
        } catch let error as OriginClientError {
            if !alreadyWatching { watchers.remove(session, video: video) }
            session.enqueue(GatewayEvents.error(id: id, code: error.code, message: error.message))
        } catch {
            if !alreadyWatching { watchers.remove(session, video: video) }
            session.enqueue(GatewayEvents.error(id: id, code: .internal, message: "watch failed"))
        }
    }

    private func publish(_ session: GatewaySession, id: RequestID?, user: GatewaySessionStateMachine.User, channel: String,
                         clientID: String, body: String, attachments: [String]) async {
        do {
            let published = try await origin.call(
                ChatLink.Method.publish, user: verified(user),
                body: ChatLinkBodies.Publish(channel: channel, clientID: clientID, body: body,
                                             attachments: attachments.isEmpty ? nil : attachments),
                as: ChatLinkBodies.Published.self)
            session.enqueue(GatewayEvents.ack(id: id, channel: channel, seq: published.seq))
        } catch let error as OriginClientError {
            session.enqueue(GatewayEvents.error(id: id, code: error.code, message: error.message))
        } catch {
            session.enqueue(GatewayEvents.error(id: id, code: .internal, message: "publish failed; retry with the same client_id"))
        }
    }
}
