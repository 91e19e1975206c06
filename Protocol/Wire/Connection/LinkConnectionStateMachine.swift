import NIOCore

/// The whole life of one link connection as a pure state machine: handshake,
/// stream bookkeeping, flow control, heartbeats and drain. It performs no I/O and
/// reads no clock; every event is a `mutating func` returning what the owner must do.
public struct LinkConnectionStateMachine: Sendable {
    /// Protocol versions this implementation speaks.
    public static let supportedVersions: ClosedRange<UInt16> = 1...1

    public struct Configuration: Sendable {
        public var nodeID: String
        public var role: LinkRole
        /// True for the peer that opened the TCP connection.
        public var isInitiator: Bool
        public var settings: LinkSettings
        public var versions: ClosedRange<UInt16>
        public var authenticator: any LinkAuthenticator
        public var handshakeTimeout: TimeAmount

        public init(nodeID: String, role: LinkRole, isInitiator: Bool, authenticator: any LinkAuthenticator,
                    settings: LinkSettings = LinkSettings(), versions: ClosedRange<UInt16> = supportedVersions,
                    handshakeTimeout: TimeAmount = .seconds(10)) {
            self.nodeID = nodeID
            self.role = role
            self.isInitiator = isInitiator
            self.settings = settings
            self.versions = versions
            self.authenticator = authenticator
            self.handshakeTimeout = handshakeTimeout
        }
    }

    enum State: Sendable {
        case idle
        case clientAwaitingWelcome(clientNonce: [UInt8])
        case serverAwaitingHello(serverNonce: [UInt8])
        case serverAwaitingAuth(LinkAuthContext, LinkPeer)
        case clientAwaitingAuthOK(LinkAuthContext, LinkPeer)
        case active(Active)
        /// Transient, while an `Active` is being mutated: holding it outside `state` keeps
        /// its stream table uniquely referenced, so mutations do not copy it.
        case modifying
        case closed
    }

    /// What the owner must do after a received frame.
    public enum ReceiveAction: Sendable {
        case none
        /// Write this frame (ping answers, refused streams, window updates).
        case send(LinkFrame)
        /// Handshake finished: the connection is usable. Write `reply` first if present.
        case established(LinkPeer, reply: LinkFrame?)
        /// The peer opened a stream.
        case request(LinkFrame.Request)
        case response(LinkFrame.Response)
        case data(LinkFrame.DataChunk)
        /// The peer reset a stream; fail whoever waits on it.
        case streamReset(LinkFrame.Reset)
        /// Send credit grew on one stream, or on all (`.connection`): flush queued bodies.
        case windowOpened(LinkStreamID)
        case message(LinkFrame.Message)
        /// Answer to one of our PINGs.
        case pong(UInt64)
        /// The peer drains or fails. Streams in `refused` were never processed and may be
        /// retried elsewhere; with `close` the connection ends now.
        case goAway(LinkFrame.GoAway, refused: [LinkStreamID], close: Bool)
        /// A protocol violation. Connection scope: write `frame` (GOAWAY) and close;
        /// stream scope: write `frame` (RESET) and fail that stream.
        case fail(LinkProtocolError, frame: LinkFrame)
    }

    public let configuration: Configuration
    var state: State = .idle
    var handshakeDeadline: NIODeadline?
    var lastReceived: NIODeadline?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var isActive: Bool {
        if case .active = state { return true }
        return false
    }

    /// The peer, once the handshake has finished.
    public var peer: LinkPeer? {
        if case .active(let active) = state { return active.peer }
        return nil
    }

    /// Starts the handshake. `nonce` must be 32 fresh random bytes. The initiator gets its HELLO to send.
    public mutating func start(nonce: [UInt8], now: NIODeadline) -> LinkFrame? {
        precondition(nonce.count == linkNonceLength)
        guard case .idle = state else { return nil }
        handshakeDeadline = now + configuration.handshakeTimeout
        lastReceived = now
        if configuration.isInitiator {
            state = .clientAwaitingWelcome(clientNonce: nonce)
            return .hello(.init(
                minVersion: configuration.versions.lowerBound, maxVersion: configuration.versions.upperBound,
                nodeID: configuration.nodeID, role: configuration.role,
                authMethods: configuration.authenticator.methods, nonce: nonce, settings: configuration.settings
            ))
        }
        state = .serverAwaitingHello(serverNonce: nonce)
        return nil
    }

    /// Processes one received frame.
    public mutating func receive(_ frame: LinkFrame, now: NIODeadline) -> ReceiveAction {
        lastReceived = now
        switch state {
        case .idle, .closed, .modifying:
            return .none
        case .clientAwaitingWelcome, .serverAwaitingHello, .serverAwaitingAuth, .clientAwaitingAuthOK:
            return receiveHandshake(frame)
        case .active(var active):
            state = .modifying
            let action = active.receive(frame)
            if case .fail(let error, _) = action, error.scope == .connection {
                state = .closed
            } else if case .goAway(_, _, true) = action {
                state = .closed
            } else {
                state = .active(active)
            }
            return action
        }
    }

    /// A decoding error reported by the frame decoder.
    public mutating func decodingFailed(_ error: LinkProtocolError) -> LinkFrame {
        let frame = connectionError(error)
        state = .closed
        return frame
    }

    /// What a periodic heartbeat tick must do.
    public enum TickAction: Sendable, Equatable {
        case none
        case sendPing(LinkFrame)
        case close(LinkFrame)
    }

    /// Call every heartbeat interval: sends a PING, or gives up on a silent peer
    /// (nothing received for three intervals) or an unfinished handshake.
    public mutating func tick(now: NIODeadline) -> TickAction {
        switch state {
        case .idle, .closed, .modifying:
            return .none
        case .active:
            let interval = TimeAmount.milliseconds(Int64(configuration.settings.heartbeatIntervalMilliseconds))
            if let last = lastReceived, now - last > interval * 3 {
                let frame = connectionError(LinkProtocolError(
                    .heartbeatTimeout, "no frame received for \((now - last).nanoseconds / 1_000_000) ms"))
                state = .closed
                return .close(frame)
            }
            return .sendPing(.ping(.init(opaque: UInt64(truncatingIfNeeded: now.uptimeNanoseconds), ack: false)))
        default:
            if let deadline = handshakeDeadline, now >= deadline {
                let frame = connectionError(LinkProtocolError(.handshakeTimeout, "handshake did not complete in time"))
                state = .closed
                return .close(frame)
            }
            return .none
        }
    }

    /// The owner is closing the connection; nothing more will be processed.
    public mutating func closed() {
        state = .closed
    }

    func connectionError(_ error: LinkProtocolError) -> LinkFrame {
        let lastPeerStream: LinkStreamID
        if case .active(let active) = state { lastPeerStream = active.lastPeerStreamID } else { lastPeerStream = .connection }
        return .goAway(.init(lastStreamID: lastPeerStream, code: error.code, reason: error.message))
    }

    mutating func withActive<R>(_ body: (inout Active) throws -> R) throws -> R {
        guard case .active(var active) = state else {
            throw LinkProtocolError(.protocolError, "connection is not active")
        }
        state = .modifying
        defer { state = .active(active) }
        return try body(&active)
    }

    /// Mutates the active state in place; nil when the connection is not active.
    mutating func ifActive<R>(_ body: (inout Active) -> R?) -> R? {
        guard case .active(var active) = state else { return nil }
        state = .modifying
        defer { state = .active(active) }
        return body(&active)
    }
}
