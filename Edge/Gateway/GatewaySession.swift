import NIOCore
import StreamLyAPI
import Synchronization

/// One WebSocket client on this edge: its state machine and its bounded send buffer.
///
/// Anything may send frames (fan-out, replies); they are written straight to the
/// connection on its event loop, with no task in between. A client that lets more than
/// `sendBufferBytes` pile up (accepted here and not yet handed to the connection, plus what the
/// connection holds that the socket has not taken) is disconnected with 4008 rather than
/// buffered without bound. Closing goes to the transport, which sends the close frame after
/// everything already written.
final class GatewaySession: Sendable {

    /// What a write reads comes first, here and in `State`: a fan-out touches each of thousands
    /// of sessions once, cold, and the fewer cache lines it reaches the faster it goes.
    struct State {
        /// Bytes of `pending`.
        var pendingBytes = 0
        /// Accepted messages not yet handed to the connection, in order.
        var pending: [OutboundText] = []
        /// A drain of `pending` is scheduled on the event loop.
        var drainScheduled = false
        var closing = false
        /// The connection is writable: it holds at most `writableHoldsAtMost` bytes the socket has
        /// not taken (kept by the connection's handler, `writabilityChanged`).
        var writable = true
        var machine: GatewaySessionStateMachine

        /// Whether `bytes` more may join the send buffer (`queue`, `deliverOnLoop`): not while
        /// closing; past the bound the session starts closing, with 4008 to send.
        mutating func admit(_ bytes: Int) -> Admission {
            guard !closing else { return .closing }
            guard case .close(let code, let reason) = machine.sending(bufferedBytes: pendingBytes + bytes) else { return .admitted }
            closing = true
            return .overflow(SlowConsumer(code: code, reason: reason))
        }
    }

    enum Admission {
        case admitted
        case closing
        case overflow(SlowConsumer)
    }

    let id: UInt64
    /// `GatewayLimits.sendBufferBytes`.
    let sendBufferBytes: Int
    /// `GatewayTransport.writableHoldsAtMost`.
    let writableHoldsAtMost: Int
    let transport: any GatewayTransport
    let state: Mutex<State>
    /// The transport's event loop and its identity, kept here: fan-out groups sessions by loop.
    let eventLoop: any EventLoop
    let loopID: ObjectIdentifier
    /// The client's IP address as text (routing: `rtc.joined`'s `better_edge`).
    let clientIP: String

    init(id: UInt64, limits: GatewayLimits, now: UInt64, transport: any GatewayTransport,
         publishBudgets: PublishBudgets? = nil, clientIP: String = "unknown") {
        self.id = id
        self.clientIP = clientIP
        self.transport = transport
        self.eventLoop = transport.eventLoop
        self.loopID = ObjectIdentifier(transport.eventLoop)
        self.sendBufferBytes = limits.sendBufferBytes
        self.writableHoldsAtMost = transport.writableHoldsAtMost
        self.state = Mutex(State(machine: GatewaySessionStateMachine(limits: limits, now: now, publishBudgets: publishBudgets)))
    }

    /// The authenticated user, if any.
    var user: GatewaySessionStateMachine.User? { state.withLock { $0.machine.user } }

    /// Sends a text frame. Returns false (and starts closing with 4008) if the client is
    /// too slow, or false if the session is already closing.
    @discardableResult
    func enqueue(_ text: ByteBuffer) -> Bool {
        let (accepted, drain) = queue([OutboundText(text)])
        if drain { Self.scheduleDrains([self]) }
        return accepted
    }

    /// Sends messages to many sessions with one hop per event loop (fan-out).
    static func send(_ sends: [(session: GatewaySession, texts: [OutboundText])]) {
        scheduleDrains(sends.compactMap { session, texts in session.queue(texts).drain ? session : nil })
    }

    /// Sends one event to `sessions`, its frame encoded once for all of them, and not at all
    /// when there is nobody to send it to.
    static func send(_ event: ByteBuffer, to sessions: some Collection<GatewaySession>) {
        guard !sessions.isEmpty else { return }
        let frame = OutboundText.shared([event])
        send(sessions.map { ($0, frame) })
    }

    /// Accepts `texts` into the send buffer, after everything accepted before: the order of
    /// `queue` calls is the order on the wire (callers that must keep an order across
    /// sessions, like the hub, call it under their own lock). Refuses them if the session is
    /// closing, or if what waits here would exceed the bound by itself (then it starts closing
    /// with 4008); the drain adds what the connection still holds and checks the bound again.
    /// `drain` is true when the caller must pass the session to `scheduleDrains`.
    func queue(_ texts: [OutboundText]) -> (accepted: Bool, drain: Bool) {
        let bytes = texts.reduce(0) { $0 + $1.text.readableBytes }
        let outcome = state.withLock { state -> Result<(accepted: Bool, drain: Bool), SlowConsumer> in
            switch state.admit(bytes) {
            case .admitted: break
            case .closing: return .success((false, false))
            case .overflow(let close): return .failure(close)
            }
            state.pendingBytes += bytes
            if state.pending.isEmpty {
                state.pending = texts  // shares the caller's array: no copy per subscriber in fan-out
            } else {
                state.pending.append(contentsOf: texts)
            }
            defer { state.drainScheduled = true }
            return .success((true, !state.drainScheduled))
        }
        switch outcome {
        case .success(let queued):
            return queued
        case .failure(let close):
            transport.close(code: close.code, reason: close.reason)
            return (false, false)
        }
    }

    /// The close a send over the bound calls for.
    struct SlowConsumer: Error {
        let code: WebSocketCloseCode
        let reason: String
    }

    /// Drains the sessions' pending frames on their event loops, one hop per loop.
    static func scheduleDrains(_ sessions: [GatewaySession]) {
        guard !sessions.isEmpty else { return }
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, sessions: [GatewaySession])] = [:]
        for session in sessions {
            byLoop[session.loopID, default: (session.eventLoop, [])].sessions.append(session)
        }
        for (loop, sessions) in byLoop.values {
            if loop.inEventLoop {
                for session in sessions { session.drain() }
            } else {
                loop.execute { for session in sessions { session.drain() } }
            }
        }
    }

    /// Fan-out to the live subscribers of a channel on one event loop (`ChatHub`): one task on
    /// `loop` writes `texts` to each of `sessions`, after what its send buffer holds. The hub
    /// calls it under its channel lock, so the order of the calls is the order on the wire; the
    /// task always runs later (a write never runs under that lock).
    static func deliver(_ texts: [OutboundText], to sessions: [GatewaySession], on loop: any EventLoop) {
        let bytes = texts.reduce(0) { $0 + $1.text.readableBytes }
        loop.execute { for session in sessions { session.deliverOnLoop(texts, bytes: bytes) } }
    }

    /// On the event loop: accepts `texts` (`bytes` long) as `queue` would, and writes them at
    /// once after what waits in the send buffer. The session is touched once, here, on its loop.
    private func deliverOnLoop(_ texts: [OutboundText], bytes: Int) {
        let outcome = state.withLock { state -> Result<(texts: [OutboundText], bytes: Int, writable: Bool)?, SlowConsumer> in
            switch state.admit(bytes) {
            case .admitted: break
            case .closing: return .success(nil)
            case .overflow(let close): return .failure(close)
            }
            guard !state.pending.isEmpty else { return .success((texts, bytes, state.writable)) }
            defer { state.pending = []; state.pendingBytes = 0 }
            return .success((state.pending + texts, state.pendingBytes + bytes, state.writable))
        }
        switch outcome {
        case .success(let accepted?): write(accepted.texts, bytes: accepted.bytes, writable: accepted.writable)
        case .success(nil): break
        case .failure(let close): transport.close(code: close.code, reason: close.reason)
        }
    }

    /// On the event loop: writes everything pending and flushes (see `write`). The transport
    /// calls it before its close frame, so nothing accepted is left behind it.
    func drain() {
        let (texts, bytes, writable) = state.withLock { state in
            state.drainScheduled = false
            defer { state.pending = []; state.pendingBytes = 0 }
            return (state.pending, state.pendingBytes, state.writable)
        }
        guard !texts.isEmpty else { return }
        write(texts, bytes: bytes, writable: writable)
    }

    /// On the event loop: writes `texts` (`bytes` long) and flushes, unless the connection still
    /// holds so much that the bound would be exceeded: then nothing more is written and the
    /// session closes with 4008 (the client resumes from its last seq when it reconnects). A
    /// writable connection that cannot hold that much is not asked. No promise per write: a
    /// failed write means the connection is gone, and its handler ends the session (`finish`)
    /// when it becomes inactive.
    private func write(_ texts: [OutboundText], bytes: Int, writable: Bool) {
        let room = sendBufferBytes - bytes
        if !(writable && writableHoldsAtMost <= room), transport.holdsMore(than: room) {
            let close = state.withLock { state -> SlowConsumer? in
                defer { state.closing = true }
                guard !state.closing, case .close(let code, let reason) = state.machine.overflowed() else { return nil }
                return SlowConsumer(code: code, reason: reason)
            }
            if let close { transport.close(code: close.code, reason: close.reason) }
            return
        }
        transport.writeOnLoop(texts)
    }

    /// The connection's writability changed (its handler, on the event loop).
    func writabilityChanged(_ writable: Bool) {
        state.withLock { $0.writable = writable }
    }

    /// Sends a close frame after what is queued and stops accepting frames.
    func close(code: WebSocketCloseCode, reason: String) {
        let first = state.withLock { state -> Bool in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        transport.close(code: code, reason: reason)
    }

    /// The connection ended: accept nothing more.
    func finish() {
        state.withLock { $0.closing = true }
    }

    var isClosing: Bool { state.withLock { $0.closing } }
}

/// Where a session's frames are written: the client's connection (`ChannelTransport`), or
/// a recorder in tests.
protocol GatewayTransport: Sendable {
    /// The event loop the frames are written on.
    var eventLoop: any EventLoop { get }
    /// The most bytes the connection holds while it is writable (its high write-buffer
    /// watermark); `Int.max` if unknown (then `holdsMore` is asked at every write).
    var writableHoldsAtMost: Int { get }
    /// Called on `eventLoop`: writes `texts` as text frames (a text's `frame` as it is), in
    /// order, and flushes.
    func writeOnLoop(_ texts: [OutboundText])
    /// Called on `eventLoop`: whether the connection holds more than `bytes` bytes that the
    /// socket has not taken yet.
    func holdsMore(than bytes: Int) -> Bool
    /// From any thread: sends a close frame with `code` after every frame the session
    /// accepted, then ends the connection when the client answers or `Gateway.closeGrace`
    /// is over. Called at most once per session.
    func close(code: WebSocketCloseCode, reason: String)
}
