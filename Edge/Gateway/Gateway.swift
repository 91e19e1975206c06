import Foundation
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

    /// A client's WebSocket was upgraded on `channel`: its session, registered until `ended`.
    /// `GatewayConnectionHandler` runs the connection on the channel's event loop; a task
    /// exists only while a request is being performed (`runLane`), so an idle connection costs
    /// no task memory. The auth deadline is a timer on the loop (`watchDeadline`). Throws if the
    /// channel's pipeline has no WebSocket frame encoder.
    func opened(channel: any Channel) throws -> GatewaySession {
        let session = GatewaySession(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, limits: limits,
                                     now: Self.now(), transport: try ChannelTransport(channel: channel),
                                     publishBudgets: publishBudgets, clientIP: channel.remoteAddress?.ipAddress ?? "unknown")
        sessions.withLock { $0[session.id] = session }
        return session
    }

    /// Performs `lane`'s requests in order, one at a time, until it is empty (the worker task
    /// of a connection). `readerMayGoOn` runs when the lane, full before, has room again. When
    /// the connection ended meanwhile, the worker does its clean-up (after the request it was
    /// performing, so nothing that request adds is left behind).
    func runLane(_ lane: RequestLane<LaneItem>, session: GatewaySession, readerMayGoOn: @Sendable () -> Void) async {
        while true {
            switch lane.take() {
            case .item(let item):
                let action = session.state.withLock { state in
                    switch item {
                    case .frame(let bytes): state.machine.decide(bytes, now: Self.now())
                    case .upgradeToken(let token): GatewaySessionStateMachine.Action.verifyToken(id: nil, token: token)
                    }
                }
                await perform(action, session: session)
                if lane.done() { readerMayGoOn() }
            case .idle:
                return
            case .finished:
                await ended(session)
                return
            }
        }
    }

    /// Performs a verdict given as a frame arrives (`admit`, `receivedBinary`: an error event
    /// or a close), on the connection's loop without a task.
    func respond(_ verdict: GatewaySessionStateMachine.Action, session: GatewaySession) {
        switch verdict {
        case .none: break
        case .sendError(let id, let code, let message): session.enqueue(GatewayEvents.error(id: id, code: code, message: message))
        case .close(let code, let reason): session.close(code: code, reason: reason)
        default: Task { await self.perform(verdict, session: session) }
        }
    }

    /// The connection of `session` is gone (its handler finished the session): the session
    /// leaves the edge's sessions, its call, channels, videos and presence.
    func ended(_ session: GatewaySession) async {
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

    /// Logs and counts a close the edge sends.
    func closing(_ session: GatewaySession, code: WebSocketCloseCode, reason: String) {
        Counter(label: "streamly_ws_closes_total", dimensions: [("code", "\(code.rawValue)")]).increment()
        logger.info("closing websocket", metadata: [
            "session": "\(session.id)", "code": "\(code.rawValue)", "reason": "\(reason)"])
    }

    /// Closes `session` at its auth deadline, then at its token's expiry (moved on by each fresh
    /// auth): a timer on the connection's loop, re-armed at each wake-up, until the auth at least
    /// once a second (an auth replaces the deadline by the token's expiry, which may come first),
    /// then at least once a minute (a re-auth may have moved it). A timer, not a task: a task
    /// waiting for hours would cost every idle connection its stack.
    func watchDeadline(of session: GatewaySession, timer: NIOLoopBoundBox<Scheduled<Void>?>) {
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
