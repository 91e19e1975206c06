import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import StreamLyAPI
import Synchronization

/// Cross-edge presence and typing, as the gateway sees them.
protocol PresenceTracker: Sendable {
    /// A session of `user` authenticated / subscribed to `channel` / closed.
    func connected(session: UInt64, user: VerifiedUser) async
    func subscribed(user: VerifiedUser, channel: String) async
    func disconnected(session: UInt64, user: VerifiedUser) async
    /// `user` is typing in `channel`.
    func typing(user: VerifiedUser, channel: String) async
}

/// The WebSocket gateway: runs each client session, turning its requests into
/// origin calls and hub subscriptions, and its state machine's verdicts into frames.
final class Gateway: Sendable {
    let limits: GatewayLimits
    let verifier: any AccessTokenVerifier
    let origin: OriginAPI
    let hub: ChatHub
    let presence: any PresenceTracker
    let logger: Logger
    private let nextID = Atomic<UInt64>(1)
    private let sessions = Mutex<[UInt64: GatewaySession]>([:])
    /// Publish budgets per user across their connections on this edge.
    private let publishBudgets = Mutex<[String: TokenBucket]>([:])

    init(limits: GatewayLimits, verifier: any AccessTokenVerifier, origin: OriginAPI, hub: ChatHub,
         presence: any PresenceTracker, logger: Logger) {
        self.limits = limits
        self.verifier = verifier
        self.origin = origin
        self.hub = hub
        self.presence = presence
        self.logger = logger
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Takes one publish from `user`'s budget on this edge.
    func allowPublish(by user: String) -> Bool {
        let now = Self.now()
        return publishBudgets.withLock { budgets in
            if budgets.count > 100_000 { budgets.removeAll() }
            var bucket = budgets[user] ?? TokenBucket(rate: limits.publishesPerSecondPerUser, burst: limits.publishBurstPerUser, now: now)
            let allowed = bucket.take(now: now)
            budgets[user] = bucket
            return allowed
        }
    }

    /// How long a closing session's queued frames may take to reach the client.
    static let closeGrace = Duration.seconds(2)

    /// Connected WebSocket clients.
    var sessionCount: Int { sessions.withLock { $0.count } }

    /// Serves one upgraded connection until it closes. `token` comes from the upgrade
    /// request (`Authorization: Bearer` or `?token=`), if any.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, token: String?) async {
        let session = GatewaySession(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, limits: limits, now: Self.now())
        sessions.withLock { $0[session.id] = session }
        await withTaskGroup(of: Void.self) { connection in
            connection.addTask { await self.write(session, to: outbound) }
            await read(inbound, session: session, token: token)
            // The writer is not cancelled with the reader: it still has to put what is
            // queued, the close frame above all (1003, 1009, 4029…), on the wire. A client
            // that does not read gets `closeGrace`, then the connection is dropped.
            connection.addTask { try? await Task.sleep(for: Self.closeGrace) }
            await connection.next()
            connection.cancelAll()
        }
        sessions.withLock { _ = $0.removeValue(forKey: session.id) }
        let channels = session.state.withLock { $0.machine.subscriptions }
        hub.remove(session, channels: channels)
        if let user = session.user {
            await presence.disconnected(session: session.id,
                                        user: VerifiedUser(id: user.id, name: user.name, expiresAt: 0))
        }
    }

    /// Handles the client's frames until it leaves or the session closes: the read loop,
    /// the lane that runs origin-bound requests in order, and the auth-deadline tick.
    /// Once the session is closing the client has `closeGrace` to answer the close frame;
    /// one that never does cannot hold the session (or the edge's shutdown) open.
    /// Ends with the session finished (its queue accepts nothing more).
    private func read(_ inbound: WebSocketInboundStream, session: GatewaySession, token: String?) async {
        let (lane, laneInput) = AsyncStream.makeStream(of: GatewaySessionStateMachine.Action.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Origin-bound requests run one at a time, in the order the client sent them.
                for await action in lane { await self.perform(action, session: session) }
            }
            group.addTask {
                while !Task.isCancelled, !session.isClosing {
                    try? await Task.sleep(for: .seconds(1))
                    let action = session.state.withLock { $0.machine.tick(now: Self.now()) }
                    await self.perform(action, session: session)
                }
                try? await Task.sleep(for: Self.closeGrace)
            }
            group.addTask {
                if let token { await self.perform(.verifyToken(id: nil, token: token), session: session) }
                do {
                    for try await message in inbound.messages(maxSize: self.limits.maxFrameBytes) {
                        let action: GatewaySessionStateMachine.Action
                        switch message {
                        case .text(let text):
                            action = session.state.withLock { $0.machine.received(Array(text.utf8), now: Self.now()) }
                        case .binary:
                            action = session.state.withLock { $0.machine.receivedBinary() }
                        }
                        switch action {
                        case .subscribe, .unsubscribe, .publish, .verifyToken: laneInput.yield(action)
                        default: await self.perform(action, session: session)
                        }
                        if session.isClosing { break }
                    }
                } catch {
                    self.logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                    session.close(code: GatewayCloseCode.messageTooBig, reason: "frame too large or malformed")
                }
            }
            // The client left (or broke the protocol), or it had its grace after a close.
            await group.next()
            laneInput.finish()
            session.finish()
            group.cancelAll()
        }
    }

    /// Drains the session's queue to the socket.
    private func write(_ session: GatewaySession, to outbound: WebSocketOutboundWriter) async {
        for await item in session.outbound {
            do {
                switch item {
                case .text(let buffer):
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: buffer)))
                    session.written(buffer.readableBytes)
                case .close(let code, let reason):
                    try await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                    return
                }
            } catch {
                session.finish()
                return
            }
        }
    }

    /// Closes every session with 1001 so clients reconnect elsewhere (edge shutdown).
    func closeAll(reason: String) {
        for session in sessions.withLock({ Array($0.values) }) {
            session.close(code: GatewayCloseCode.goingAway, reason: reason)
        }
    }
}
