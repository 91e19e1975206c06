/// The life of one relay link (one call, one peer edge), without I/O or clock reads: hellos
/// until the peer answers, glare when both edges open the link at once, the established session
/// (whose nonces give the keys), liveness (consent: `consentTimeout` without an authenticated
/// datagram from the peer drops its tracks) and restarts of the peer.
public struct RelayLinkStateMachine: Sendable {
    /// What both sides agreed: the peer's link id and the nonces the keys come from.
    public struct Session: Hashable, Sendable {
        public var peerLinkID: UInt32
        public var initiatorNonce: [UInt8]
        public var responderNonce: [UInt8]
        public var isInitiator: Bool
        public var peerInstance: UInt64
        /// The hello this session answered or sent (its time orders restarts).
        public var helloTime: UInt64
    }

    public enum State: Hashable, Sendable {
        case idle
        case connecting(nonce: [UInt8], nextHello: UInt64)
        case established(Session, lastHeard: UInt64)
        case closed
    }

    public enum Action: Hashable, Sendable {
        case none
        /// Send (or resend) a hello with this nonce.
        case sendHello(nonce: [UInt8])
        /// New keys from `session`: send an ack first when responder; drop the tracks of the
        /// previous session first when `dropPrevious` (the peer restarted).
        case establish(Session, sendAck: Bool, dropPrevious: Bool)
        /// The peer did not get our ack: send it again (same keys).
        case resendAck(Session)
        /// The peer went silent: drop its tracks (hellos follow on the next ticks).
        case expired
    }

    public private(set) var state: State = .idle
    public let instance: UInt64
    /// Nanoseconds.
    public let consentTimeout: UInt64
    public let helloInterval: UInt64
    /// Hellos older or newer than this (wall clock, ms) are refused (replays).
    public let helloWindowMilliseconds: UInt64 = 60_000

    public init(instance: UInt64, consentTimeout: UInt64, helloInterval: UInt64 = 1_000_000_000) {
        self.instance = instance
        self.consentTimeout = consentTimeout
        self.helloInterval = helloInterval
    }

    public var session: Session? {
        if case .established(let session, _) = state { return session }
        return nil
    }

    public mutating func start(now: UInt64, nonce: [UInt8]) -> Action {
        guard case .idle = state else { return .none }
        state = .connecting(nonce: nonce, nextHello: now + helloInterval)
        return .sendHello(nonce: nonce)
    }

    /// The 1 s tick (and any time): resends hellos, expires a silent peer.
    public mutating func tick(now: UInt64, freshNonce: () -> [UInt8]) -> Action {
        switch state {
        case .connecting(let nonce, let next) where now >= next:
            state = .connecting(nonce: nonce, nextHello: now + helloInterval)
            return .sendHello(nonce: nonce)
        case .established(_, let lastHeard) where now > lastHeard && now - lastHeard > consentTimeout:
            let nonce = freshNonce()
            state = .connecting(nonce: nonce, nextHello: now)
            return .expired
        default:
            return .none
        }
    }

    /// An authenticated hello from the peer (`wallMilliseconds`: our wall clock).
    public mutating func helloReceived(_ hello: RelayHello, now: UInt64, wallMilliseconds: UInt64,
                                       freshNonce: () -> [UInt8]) -> Action {
        let age = wallMilliseconds > hello.timeMilliseconds ? wallMilliseconds - hello.timeMilliseconds
                                                            : hello.timeMilliseconds - wallMilliseconds
        guard age <= helloWindowMilliseconds else { return .none }
        switch state {
        case .idle, .closed:
            return .none
        case .connecting:
            // Glare: both opened the link; the lower instance stays initiator.
            if instance < hello.instance { return .none }
            let session = Session(peerLinkID: hello.senderLinkID, initiatorNonce: hello.nonce, responderNonce: freshNonce(),
                                  isInitiator: false, peerInstance: hello.instance, helloTime: hello.timeMilliseconds)
            state = .established(session, lastHeard: now)
            return .establish(session, sendAck: true, dropPrevious: false)
        case .established(let session, let lastHeard):
            if !session.isInitiator && hello.nonce == session.initiatorNonce {
                state = .established(session, lastHeard: max(lastHeard, now))
                return .resendAck(session)
            }
            // A newer hello: the peer restarted (or lost the link); a replayed older one is ignored.
            guard hello.timeMilliseconds > session.helloTime || hello.instance != session.peerInstance else { return .none }
            if session.isInitiator && hello.instance == session.peerInstance && instance < hello.instance { return .none }
            let next = Session(peerLinkID: hello.senderLinkID, initiatorNonce: hello.nonce, responderNonce: freshNonce(),
                               isInitiator: false, peerInstance: hello.instance, helloTime: hello.timeMilliseconds)
            state = .established(next, lastHeard: now)
            return .establish(next, sendAck: true, dropPrevious: true)
        }
    }

    /// An authenticated ack of our hello.
    public mutating func ackReceived(_ ack: RelayHello, now: UInt64) -> Action {
        guard case .connecting(let nonce, _) = state, ack.echoedNonce == nonce else { return .none }
        let session = Session(peerLinkID: ack.senderLinkID, initiatorNonce: nonce, responderNonce: ack.nonce,
                              isInitiator: true, peerInstance: ack.instance, helloTime: ack.timeMilliseconds)
        state = .established(session, lastHeard: now)
        return .establish(session, sendAck: false, dropPrevious: false)
    }

    /// The peer closed its side of the session (a `bye`: its call ended, or it unlinked and may
    /// link again at once, e.g. after its directory view lost this edge for a moment). Back to
    /// hellos with `nonce`: an established link ignores a newer hello from the peer when it is
    /// the initiator and the lower instance (glare), so staying established would leave a peer
    /// that links again unanswered until the consent timeout.
    public mutating func byeReceived(now: UInt64, nonce: [UInt8]) -> Action {
        guard case .established = state else { return .none }
        state = .connecting(nonce: nonce, nextHello: now + helloInterval)
        return .sendHello(nonce: nonce)
    }

    /// A state message or media packet that authenticated under the session's keys.
    public mutating func heard(now: UInt64) {
        guard case .established(let session, let lastHeard) = state, now > lastHeard else { return }
        state = .established(session, lastHeard: now)
    }

    public mutating func close() {
        state = .closed
    }
}
