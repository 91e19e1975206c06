import StreamLyAPI

/// The life of one WebSocket connection on the edge, without I/O: authentication, rate
/// limits (requests per connection, publishes per user), subscriptions, the typing rule and
/// the send-buffer bound. The session owner performs the returned actions.
struct GatewaySessionStateMachine: Sendable {
    /// An authenticated user.
    struct User: Sendable, Equatable {
        var id: String
        var name: String
        /// Access-token expiry, in the owner's clock (nanoseconds).
        var expires: UInt64
    }

    enum State: Sendable, Equatable {
        case awaitingAuth(deadline: UInt64)
        case authenticated(User)
        case closed
    }

    enum Action: Sendable, Equatable {
        case none
        /// Send an `error` event; the connection stays open.
        case sendError(id: RequestID?, code: API.ErrorCode, message: String)
        /// Check this token; report with `authenticated` or `authenticationFailed`.
        case verifyToken(id: RequestID?, token: String)
        case subscribe(id: RequestID?, user: User, channel: String, since: Int64?)
        case unsubscribe(id: RequestID?, channel: String)
        case publish(id: RequestID?, user: User, channel: String, clientID: String, body: String, attachments: [String])
        case typing(user: User, channel: String)
        case watch(id: RequestID?, user: User, video: String)
        case unwatch(id: RequestID?, video: String)
        /// Answer a `ping` with `pong`.
        case pong(id: RequestID?)
        /// Conference signaling; `call` is the call this connection is in (channel and participant id), if any.
        case rtc(id: RequestID?, user: User, request: RTCRequest, call: CallMembership?)
        /// Reply to a successful `auth`.
        case sendAuthenticated(id: RequestID?, user: User)
        /// Close with a WebSocket close code and reason.
        case close(code: WebSocketCloseCode, reason: String)
    }

    let limits: GatewayLimits
    /// Per-user publish budgets shared with the user's other connections on this edge.
    let publishBudgets: PublishBudgets
    private(set) var state: State
    private var bucket: TokenBucket
    private var violations = 0
    private(set) var subscriptions: Set<String> = []
    private(set) var watches: Set<String> = []
    /// The call this connection is in: one at a time.
    private(set) var call: CallMembership?
    private var rtcBucket: TokenBucket

    init(limits: GatewayLimits, now: UInt64, publishBudgets: PublishBudgets? = nil) {
        self.limits = limits
        self.publishBudgets = publishBudgets ?? PublishBudgets(limits: limits)
        self.state = .awaitingAuth(deadline: now + UInt64(limits.authTimeout.components.seconds) * 1_000_000_000)
        self.bucket = TokenBucket(rate: limits.opsPerSecond, burst: limits.opsBurst, now: now)
        self.rtcBucket = TokenBucket(rate: limits.rtcOpsPerSecond, burst: limits.rtcOpsBurst, now: now)
    }

    var user: User? {
        if case .authenticated(let user) = state { return user }
        return nil
    }

    /// A text frame arrived: admitted (then `decide`d in order) and decided at once.
    mutating func received(_ bytes: [UInt8], now: UInt64) -> Action {
        if let verdict = admit(now: now) { return verdict }
        return decide(bytes, now: now)
    }

    /// A text frame arrived, to be decided later in the connection's order: nil admits it;
    /// otherwise the verdict to perform at once (`rate_limited`, or 4029 for a client that
    /// keeps flooding; nothing once closed).
    mutating func admit(now: UInt64) -> Action? {
        if case .closed = state { return Action.none }
        guard bucket.take(now: now) else {
            violations += 1
            if violations > 20 {
                state = .closed
                return .close(code: WebSocketCloseCode.rateLimited, reason: "rate limit exceeded repeatedly")
            }
            return .sendError(id: nil, code: .rateLimited, message: "more than \(Int(limits.opsPerSecond)) requests per second")
        }
        return nil
    }

    /// Decides an admitted frame, after every frame before it was performed.
    mutating func decide(_ bytes: [UInt8], now: UInt64) -> Action {
        if case .closed = state { return .none }
        let (id, request): (RequestID?, ClientRequest)
        switch ClientRequest.parse(bytes, limits: limits) {
        case .success(let parsed): (id, request) = parsed
        case .failure(let invalid): return .sendError(id: invalid.id, code: invalid.code, message: invalid.message)
        }
        return decide(request, id: id, now: now)
    }

    /// Decides a parsed request in the current state.
    private mutating func decide(_ request: ClientRequest, id: RequestID?, now: UInt64) -> Action {
        if case .auth(let token) = request { return .verifyToken(id: id, token: token) }
        guard case .authenticated(let user) = state else {
            return .sendError(id: id, code: .unauthorized, message: "send auth first")
        }
        if user.expires <= now {
            state = .closed
            return .close(code: WebSocketCloseCode.unauthorized, reason: "token expired; reconnect with a fresh token")
        }
        switch request {
        case .auth:
            return .none
        case .subscribe(let channel, let since):
            guard subscriptions.contains(channel) || subscriptions.count < limits.maxSubscriptions else {
                return .sendError(id: id, code: .tooManySubscriptions, message: "at most \(limits.maxSubscriptions) channels")
            }
            return .subscribe(id: id, user: user, channel: channel, since: since)
        case .unsubscribe(let channel):
            subscriptions.remove(channel)
            return .unsubscribe(id: id, channel: channel)
        case .publish(let channel, let clientID, let body, let attachments):
            guard publishBudgets.take(user: user.id, now: now) else {
                return .sendError(id: id, code: .rateLimited,
                                  message: "more than \(Int(limits.publishesPerSecondPerUser)) publishes per second")
            }
            return .publish(id: id, user: user, channel: channel, clientID: clientID, body: body, attachments: attachments)
        case .typing(let channel):
            guard subscriptions.contains(channel) else {
                return .sendError(id: nil, code: .notSubscribed, message: "subscribe to \(channel) first")
            }
            return .typing(user: user, channel: channel)
        case .watch(let video):
            guard watches.contains(video) || watches.count < limits.maxWatches else {
                return .sendError(id: id, code: .tooManyWatches, message: "at most \(limits.maxWatches) videos")
            }
            return .watch(id: id, user: user, video: video)
        case .unwatch(let video):
            watches.remove(video)
            return .unwatch(id: id, video: video)
        case .ping:
            return .pong(id: id)
        case .rtc(let rtc):
            guard rtcBucket.take(now: now) else {
                return .sendError(id: id, code: .rateLimited, message: "more than \(Int(limits.rtcOpsPerSecond)) rtc requests per second")
            }
            switch rtc {
            case .join(let channel):
                if let call {
                    return .sendError(id: id, code: .alreadyInCall, message: "already in the call of \(call.channel): rtc.leave first")
                }
                return .rtc(id: id, user: user, request: .join(channel: channel), call: nil)
            case .leave:
                guard call != nil else { return .sendError(id: id, code: .notInCall, message: "not in a call") }
                return .rtc(id: id, user: user, request: rtc, call: call)
            default:
                guard call != nil else { return .sendError(id: id, code: .notInCall, message: "rtc.join first") }
                return .rtc(id: id, user: user, request: rtc, call: call)
            }
        }
    }

    /// The edge admitted this connection to a call.
    mutating func joinedCall(_ membership: CallMembership) {
        call = membership
    }

    /// The connection left its call (rtc.leave, or the edge removed it); nil if it was not in it.
    @discardableResult
    mutating func leftCall(participant: String) -> CallMembership? {
        guard let call, call.participant == participant else { return nil }
        self.call = nil
        return call
    }

    /// A binary frame arrived: not part of the protocol.
    mutating func receivedBinary() -> Action {
        state = .closed
        return .close(code: WebSocketCloseCode.unsupportedData, reason: "binary frames are not supported")
    }

    /// The token in an `auth` request was valid.
    mutating func authenticated(_ user: User, id: RequestID?) -> Action {
        switch state {
        case .closed:
            return .none
        case .authenticated(let current) where current.id != user.id:
            state = .closed
            return .close(code: WebSocketCloseCode.unauthorized, reason: "a connection cannot change user")
        default:
            state = .authenticated(user)
            return .sendAuthenticated(id: id, user: user)
        }
    }

    /// The token in an `auth` request was invalid or expired.
    mutating func authenticationFailed(_ reason: String) -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .close(code: WebSocketCloseCode.unauthorized, reason: reason)
    }

    /// The origin confirmed a `watch`.
    mutating func watching(_ video: String) {
        watches.insert(video)
    }

    /// A subscription was accepted by the origin.
    mutating func subscribed(_ channel: String) {
        subscriptions.insert(channel)
    }

    /// Frames are about to be queued, making the send buffer hold `bufferedBytes`: `.none`
    /// accepts them; a client that reads too slowly for the bound is closed with 4008.
    mutating func sending(bufferedBytes: Int) -> Action {
        guard bufferedBytes > limits.sendBufferBytes else { return .none }
        return overflowed()
    }

    /// The send buffer holds more than the bound: the client is closed with 4008.
    mutating func overflowed() -> Action {
        state = .closed
        return .close(code: WebSocketCloseCode.slowConsumer, reason: "send buffer overflow: read faster")
    }

    /// Timer check: closes connections that did not authenticate in time, and those whose
    /// access token expired without a fresh `auth` (4001: reconnect or re-authenticate).
    mutating func tick(now: UInt64) -> Action {
        switch state {
        case .awaitingAuth(let deadline) where now >= deadline:
            state = .closed
            return .close(code: WebSocketCloseCode.unauthorized, reason: "no auth within \(limits.authTimeout)")
        case .authenticated(let user) where now >= user.expires:
            state = .closed
            return .close(code: WebSocketCloseCode.unauthorized, reason: "token expired; send auth with a fresh token before it expires")
        default:
            return .none
        }
    }

    /// When `tick` must run next: the auth deadline, or the token's expiry; nil once closed.
    var nextDeadline: UInt64? { pendingDeadline?.at }

    /// `nextDeadline`, and whether it is a token's expiry (authenticated) or the auth deadline.
    var pendingDeadline: (at: UInt64, authenticated: Bool)? {
        switch state {
        case .awaitingAuth(let deadline): (deadline, false)
        case .authenticated(let user): (user.expires, true)
        case .closed: nil
        }
    }
}
