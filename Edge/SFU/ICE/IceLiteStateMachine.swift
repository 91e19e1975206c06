import NIOCore

/// The ICE-lite side of one peer connection (RFC 8445 §2.5): answers the peer's Binding
/// requests, follows its nomination, and declares the peer gone after 30 s without a valid
/// check (consent freshness, RFC 7675 §5.1).
///
/// A lite agent sends no checks of its own and is always controlled (RFC 8445 §6.1.1). No
/// I/O and no clock: every event takes `now`, and returns an action the owner performs
/// (send the bytes, switch the selected 5-tuple, tear the transport down).
public struct IceLiteStateMachine: Sendable {
    /// Where the connection stands.
    public enum State: Hashable, Sendable {
        /// No valid check yet; `since` is when the agent was created.
        case waiting(since: NIODeadline)
        /// Valid checks received, none nominating a pair yet.
        case checking(lastConsent: NIODeadline)
        /// The peer nominated `selected` (USE-CANDIDATE); media flows on it.
        case connected(selected: FiveTuple, lastConsent: NIODeadline)
        /// Consent expired or the owner closed the agent. Terminal.
        case closed
    }

    /// What to do with a Binding request.
    public enum BindingAction: Hashable, Sendable {
        /// Send the success response on `tuple`.
        case respond(ByteBuffer, on: FiveTuple)
        /// Send the success response on `tuple`, which the peer just nominated: it becomes the
        /// selected pair (RFC 8445 §7.3.1.5, §8.2).
        case respondAndSelect(ByteBuffer, on: FiveTuple)
        /// Send an error response on `tuple` (400, 420 or 487).
        case respondWithError(ByteBuffer, on: FiveTuple, StunErrorCode)
        /// Send nothing.
        case drop(DropReason)
    }

    /// Why a message got no answer.
    public struct DropReason: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Not a Binding request (indications and responses need no answer from a lite agent).
        public static let notABindingRequest = DropReason(rawValue: "not-a-binding-request")
        /// FINGERPRINT present but wrong: not STUN after all (RFC 8489 §7.3).
        public static let badFingerprint = DropReason(rawValue: "bad-fingerprint")
        /// USERNAME does not start with this agent's ufrag (RFC 8445 §7.3).
        public static let unknownUfrag = DropReason(rawValue: "unknown-ufrag")
        /// USERNAME's second part is not the peer's ufrag from its SDP.
        public static let wrongRemoteUfrag = DropReason(rawValue: "wrong-remote-ufrag")
        /// MESSAGE-INTEGRITY does not verify with this agent's password.
        public static let badIntegrity = DropReason(rawValue: "bad-integrity")
        /// The agent is closed.
        public static let closed = DropReason(rawValue: "closed")
    }

    /// What a consent check found.
    public enum ConsentAction: Hashable, Sendable {
        /// Consent still fresh (or already closed); call again at `consentDeadline`.
        case none
        /// 30 s without a valid check: the peer is gone; the agent is now closed.
        case expired
    }

    public private(set) var state: State
    /// This side's ufrag and password (the SFU's `a=ice-ufrag`/`a=ice-pwd`).
    public let local: IceCredentials
    /// The peer's ufrag from its SDP; while nil the second half of USERNAME is not checked.
    public private(set) var remoteUfrag: String?
    public let configuration: IceLiteConfiguration

    public init(local: IceCredentials, remoteUfrag: String?, configuration: IceLiteConfiguration = .init(),
                now: NIODeadline) {
        self.local = local
        self.remoteUfrag = remoteUfrag
        self.configuration = configuration
        self.state = .waiting(since: now)
    }

    /// The peer's ufrag became known (its offer or answer arrived).
    public mutating func setRemoteUfrag(_ ufrag: String) {
        remoteUfrag = ufrag
    }

    /// The 5-tuple the peer nominated, once connected.
    public var selectedTuple: FiveTuple? {
        if case .connected(let selected, _) = state { return selected }
        return nil
    }

    /// When consent runs out if no valid check arrives before: the time to call
    /// `consentCheck(now:)`. Nil once closed.
    public var consentDeadline: NIODeadline? {
        switch state {
        case .waiting(let since): return since + configuration.consentTimeout
        case .checking(let last), .connected(_, let last): return last + configuration.consentTimeout
        case .closed: return nil
        }
    }

    /// A parsed STUN message arrived on `tuple` (RFC 8445 §7.3; checks in the order of
    /// RFC 8489 §9.1.3, except that wrong credentials are dropped rather than answered 401,
    /// so that a stranger learns nothing).
    public mutating func bindingRequest(_ request: StunMessage, on tuple: FiveTuple, now: NIODeadline) -> BindingAction {
        if case .closed = state { return .drop(.closed) }
        guard request.type == .bindingRequest else { return .drop(.notABindingRequest) }
        if request.fingerprint != nil, !request.verifyFingerprint() { return .drop(.badFingerprint) }
        guard request.fingerprint != nil, request.integrity != nil, request.username != nil else {
            // RFC 8489 §9.1.3: missing USERNAME or MESSAGE-INTEGRITY → 400, unsigned;
            // ICE requires FINGERPRINT on every check (RFC 8445 §7.1).
            return .respondWithError(errorResponse(to: request, .badRequest, signed: false), on: tuple, .badRequest)
        }
        // USERNAME is `<receiver ufrag>:<sender ufrag>` (RFC 8445 §7.2.2).
        guard let fragments = request.iceUsernameFragments, fragments.receiver == local.ufrag else {
            return .drop(.unknownUfrag)
        }
        if let remoteUfrag, fragments.sender != remoteUfrag { return .drop(.wrongRemoteUfrag) }
        guard request.verifyIntegrity(key: local.integrityKey) else { return .drop(.badIntegrity) }

        let unknown = request.unknownComprehensionRequiredTypes
        if configuration.rejectUnknownRequiredAttributes, !unknown.isEmpty {
            return .respondWithError(errorResponse(to: request, .unknownAttribute, unknown: unknown), on: tuple,
                                     .unknownAttribute)
        }
        guard request.priority != nil else {
            return .respondWithError(errorResponse(to: request, .badRequest), on: tuple, .badRequest)
        }
        // Both sides controlled: a lite agent cannot switch roles (RFC 8445 §7.3.1.1).
        if request.iceControlled != nil, request.iceControlling == nil {
            return .respondWithError(errorResponse(to: request, .roleConflict), on: tuple, .roleConflict)
        }

        let response = successResponse(to: request, on: tuple)
        switch state {
        case .connected(let selected, _) where selected == tuple:
            // Consent is per selected pair (RFC 7675 §5.1): only checks on it refresh it.
            state = .connected(selected: selected, lastConsent: now)
            return .respond(response, on: tuple)
        case .connected where !request.useCandidate:
            // A valid check on another pair: answer, but keep the selected pair and its consent.
            return .respond(response, on: tuple)
        case .waiting, .checking, .connected:
            if request.useCandidate {
                state = .connected(selected: tuple, lastConsent: now)
                return .respondAndSelect(response, on: tuple)
            }
            state = .checking(lastConsent: now)
            return .respond(response, on: tuple)
        case .closed:
            return .drop(.closed)
        }
    }

    /// Checks consent freshness (RFC 7675 §5.1): call at `consentDeadline` (or on any timer).
    public mutating func consentCheck(now: NIODeadline) -> ConsentAction {
        guard let deadline = consentDeadline else { return .none }
        guard now >= deadline else { return .none }
        state = .closed
        return .expired
    }

    /// The owner tears the transport down (leave, drain). Further requests are dropped.
    public mutating func close() {
        state = .closed
    }
}
