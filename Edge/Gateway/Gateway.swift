import Foundation
import HummingbirdWebSocket
import Logging
import Metrics
import NIOCore
import NIOWebSocket
import StreamLyAPI
import StreamLyEdgeDirectory
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
    let origin: OriginClient
    let hub: ChatHub
    let presence: any PresenceTracker
    let watchers: VideoWatchers
    /// The edge's calls (`rtc.*`); nil when the edge runs without a media server.
    let calls: (any RTCSignaling)?
    /// This edge's calls as the edge directory reports them (nil: not reported).
    let directory: EdgeDirectory?
    /// Picks a better edge for a caller (`rtc.joined`'s `better_edge`); nil: never.
    let edgeRouter: EdgeRouter?
    let logger: Logger
    private let nextID = Atomic<UInt64>(1)
    private let sessions = Mutex<[UInt64: GatewaySession]>([:])
    /// Publish budgets per user across their connections on this edge.
    private let publishBudgets: PublishBudgets

    init(limits: GatewayLimits, verifier: any AccessTokenVerifier, origin: OriginClient, hub: ChatHub,
         presence: any PresenceTracker, watchers: VideoWatchers = VideoWatchers(), calls: (any RTCSignaling)? = nil,
         logger: Logger, directory: EdgeDirectory? = nil, edgeRouter: EdgeRouter? = nil) {
        self.calls = calls
        self.directory = directory
        self.edgeRouter = edgeRouter
        self.limits = limits
        self.publishBudgets = PublishBudgets(limits: limits)
        self.watchers = watchers
        self.verifier = verifier
        self.origin = origin
        self.hub = hub
        self.presence = presence
        self.logger = logger
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// How long a client has to answer the close frame before the connection is dropped.
    static let closeGrace = Duration.seconds(2)

    /// Connected WebSocket clients.
    var sessionCount: Int { sessions.withLock { $0.count } }

    /// Serves one upgraded connection until it closes. `channel` is the connection's (its
    /// frames are written there directly); `token` comes from the upgrade request
    /// (`Authorization: Bearer` or `?token=`), if any.
    ///
    /// Tasks: the read loop; the lane that performs the requests in order (each in a child
    /// task); and the closer, which sends the close frame the session asks for (after every
    /// frame already accepted) and then gives the client `closeGrace` to answer it. The auth
    /// deadline is a timer on the connection's loop (`watchDeadline`).
    /// The connection ends when the client leaves or the grace is over, so a client that
    /// never answers cannot hold the session (or the edge's shutdown) open.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel,
               token: String?) async {
        let session = GatewaySession(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, limits: limits,
                                     now: Self.now(), transport: ChannelTransport(channel: channel),
                                     publishBudgets: publishBudgets, clientIP: channel.remoteAddress?.ipAddress ?? "unknown")
        sessions.withLock { $0[session.id] = session }
        let lane = RequestLane<LaneItem>(capacity: limits.maxQueuedRequests)
        let deadline = NIOLoopBoundBox.makeEmptyBox(valueType: Scheduled<Void>.self, eventLoop: channel.eventLoop)
        channel.eventLoop.execute { self.watchDeadline(of: session, timer: deadline) }
        // Each task answers whether its end ends the connection.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await request in session.closeRequests {
                    Counter(label: "streamly_ws_closes_total", dimensions: [("code", "\(request.code.rawValue)")]).increment()
                    self.logger.info("closing websocket", metadata: [
                        "session": "\(session.id)", "code": "\(request.code.rawValue)", "reason": "\(request.reason)"])
                    do {
                        try await outbound.close(.init(codeNumber: Int(request.code.rawValue)), reason: request.reason)
                        try? await Task.sleep(for: Self.closeGrace)
                    } catch {}  // the connection is already gone
                }
                return true
            }
            group.addTask {
                for await item in lane.items {
                    let action = session.state.withLock { state in
                        switch item {
                        case .frame(let bytes): state.machine.decide(bytes, now: Self.now())
                        case .upgradeToken(let token): GatewaySessionStateMachine.Action.verifyToken(id: nil, token: token)
                        }
                    }
                    // In a child task: a task keeps every slab its deepest call took until it
                    // ends (the runtime's task allocator never gives them back), and this loop
                    // lives as long as the connection; an auth alone left ~5 KiB per idle client.
                    await withDiscardingTaskGroup { group in
                        group.addTask { await self.perform(action, session: session) }
                    }
                    lane.done()
                }
                return false
            }
            group.addTask {
                await self.read(inbound, session: session, lane: lane, token: token)
            }
            while let ends = await group.next(), !ends {}
            lane.finish()
            session.finish()
            group.cancelAll()
        }
        channel.eventLoop.execute { deadline.value?.cancel() }
        sessions.withLock { _ = $0.removeValue(forKey: session.id) }
        await leaveCall(of: session)
        let channels = session.state.withLock { $0.machine.subscriptions }
        hub.remove(session, channels: channels)
        watchers.remove(session, videos: session.state.withLock { $0.machine.watches })
        if let user = session.user {
            await presence.disconnected(session: session.id,
                                        user: VerifiedUser(id: user.id, name: user.name, expiresAt: 0))
        }
    }

    /// Closes `session` at its auth deadline, then at its token's expiry (moved on by each fresh
    /// auth): a timer on the connection's loop, re-armed at each wake-up, until the auth at least
    /// once a second (an auth replaces the deadline by the token's expiry, which may come first),
    /// then at least once a minute (a re-auth may have moved it). A timer, not a task: a task
    /// waiting for hours would cost every idle connection its stack.
    private func watchDeadline(of session: GatewaySession, timer: NIOLoopBoundBox<Scheduled<Void>?>) {
        guard let (deadline, authenticated) = session.state.withLock({ $0.machine.pendingDeadline }) else { return }
        let now = Self.now()
        if deadline > now {
            let step: UInt64 = authenticated ? 60_000_000_000 : 1_000_000_000
            timer.value = timer.eventLoop.scheduleTask(in: .nanoseconds(Int64(min(deadline - now, step)))) {
                self.watchDeadline(of: session, timer: timer)
            }
        } else if case .close(let code, let reason) = session.state.withLock({ $0.machine.tick(now: Self.now()) }) {
            session.close(code: code, reason: reason)
        }
    }

    /// Handles the client's frames until it leaves (true) or breaks the protocol (false:
    /// the session closes with 1009 and the closer ends the connection). The rate limit is
    /// applied as frames arrive; admitted frames go to `lane`, where they are decided and
    /// performed one at a time in the order they came, `auth` included (a client may send
    /// requests right behind `auth`); a full lane stops the reading. Once the session is
    /// closing, frames are read (the client's answer to the close frame ends the stream) but
    /// no longer acted on.
    private func read(_ inbound: WebSocketInboundStream, session: GatewaySession, lane: RequestLane<LaneItem>,
                      token: String?) async -> Bool {
        if let token { await lane.put(.upgradeToken(token)) }
        do {
            for try await message in inbound.messages(maxSize: limits.maxFrameBytes) {
                if session.isClosing { continue }
                switch message {
                case .text(let text):
                    if let verdict = session.state.withLock({ $0.machine.admit(now: Self.now()) }) {
                        await perform(verdict, session: session)
                    } else {
                        await lane.put(.frame(Array(text.utf8)))
                    }
                case .binary:
                    await perform(session.state.withLock { $0.machine.receivedBinary() }, session: session)
                }
            }
            return true
        } catch {
            logger.debug("websocket read ended", metadata: ["error": "\(error)"])
            session.close(code: WebSocketCloseCode.messageTooBig, reason: "frame too large or malformed")
            return false
        }
    }

    /// Closes every session with 1001 so clients reconnect elsewhere (edge shutdown).
    func closeAll(reason: String) {
        for session in sessions.withLock({ Array($0.values) }) {
            session.close(code: WebSocketCloseCode.goingAway, reason: reason)
        }
    }
}

/// What waits in a connection's lane: an admitted text frame, or the token of the upgrade
/// request (verified before any frame behind it is decided).
enum LaneItem: Sendable {
    case frame([UInt8])
    case upgradeToken(String)
}
