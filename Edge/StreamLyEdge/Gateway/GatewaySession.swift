import NIOCore
import Synchronization

/// One WebSocket client on this edge: its state machine and its bounded outbound
/// queue. Anything may enqueue frames (fan-out, replies); one writer task drains
/// the queue to the socket. A client that lets more than `sendBufferBytes` pile up
/// is disconnected with 4008 rather than buffering without bound.
final class GatewaySession: Sendable {
    enum Outbound: Sendable {
        case text(ByteBuffer)
        case close(code: UInt16, reason: String)
    }

    struct State {
        var machine: GatewaySessionStateMachine
        var queuedBytes = 0
        var closing = false
    }

    let id: UInt64
    let limits: GatewayLimits
    let state: Mutex<State>
    let outbound: AsyncStream<Outbound>
    private let continuation: AsyncStream<Outbound>.Continuation

    init(id: UInt64, limits: GatewayLimits, now: UInt64) {
        self.id = id
        self.limits = limits
        self.state = Mutex(State(machine: GatewaySessionStateMachine(limits: limits, now: now)))
        (outbound, continuation) = AsyncStream.makeStream(of: Outbound.self)
    }

    /// The authenticated user, if any.
    var user: GatewaySessionStateMachine.User? { state.withLock { $0.machine.user } }

    /// Queues a text frame. Returns false (and starts closing) if the client is too slow.
    @discardableResult
    func enqueue(_ text: ByteBuffer) -> Bool {
        let accepted = state.withLock { state -> Bool? in
            guard !state.closing else { return nil }
            guard state.queuedBytes + text.readableBytes <= limits.sendBufferBytes else {
                state.closing = true
                return false
            }
            state.queuedBytes += text.readableBytes
            return true
        }
        switch accepted {
        case true?:
            continuation.yield(.text(text))
            return true
        case false?:
            continuation.yield(.close(code: GatewayCloseCode.slowConsumer, reason: "send buffer overflow: read faster"))
            continuation.finish()
            return false
        case nil:
            return false
        }
    }

    /// The writer put `count` bytes on the wire.
    func written(_ count: Int) {
        state.withLock { $0.queuedBytes -= count }
    }

    /// Sends a close frame after what is queued and stops accepting frames.
    func close(code: UInt16, reason: String) {
        let first = state.withLock { state -> Bool in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        continuation.yield(.close(code: code, reason: reason))
        continuation.finish()
    }

    /// The connection ended: drop whatever is still queued.
    func finish() {
        state.withLock { $0.closing = true }
        continuation.finish()
    }

    var isClosing: Bool { state.withLock { $0.closing } }
}
