import NIOCore
import Synchronization

/// The calls of one edge, one per channel: created on the first join, forgotten when the last
/// participant leaves. Each call is bound to one event loop of `group` (chosen at creation);
/// the registry itself may be used from any thread.
public final class CallRegistry<Transport: CallTransport>: Sendable {
    /// A call and the loop it lives on; use `call` only on `eventLoop` (`execute`).
    public struct Handle: Sendable {
        public let eventLoop: any EventLoop
        let call: NIOLoopBoundBox<Call<Transport>>
        let identity: ObjectIdentifier
    }

    private let group: any EventLoopGroup
    private let limits: CallLimits
    public let metrics: SFUMetrics
    private let calls = Mutex<[String: Handle]>([:])
    private let created = Mutex<(@Sendable (Handle) -> Void)?>(nil)

    public init(group: any EventLoopGroup, limits: CallLimits, metrics: SFUMetrics = SFUMetrics()) {
        self.group = group
        self.limits = limits
        self.metrics = metrics
    }

    /// Calls in progress.
    public var count: Int { calls.withLock { $0.count } }

    /// The channel's call, created if there is none.
    public func handle(for channel: String) -> Handle {
        var made: Handle?
        defer { if let made, let hook = created.withLock({ $0 }) { hook(made) } }
        return calls.withLock { calls in
            if let handle = calls[channel] { return handle }
            let loop = group.next()
            let call = Call<Transport>(channel: channel, eventLoop: loop, limits: limits, metrics: metrics)
            let identity = ObjectIdentifier(call)
            call.onClose = { [weak self] in self?.forget(channel: channel, identity: identity) }
            let handle = Handle(eventLoop: loop, call: .makeBoxSendingValue(call, eventLoop: loop), identity: identity)
            calls[channel] = handle
            made = handle
            return handle
        }
    }

    /// Called (on any thread) with every call created from now on; the relay links new calls
    /// to its static peers with it.
    public func onCallCreated(_ body: @escaping @Sendable (Handle) -> Void) {
        created.withLock { $0 = body }
    }

    /// The channel's call if one is in progress.
    public func existing(_ channel: String) -> Handle? {
        calls.withLock { $0[channel] }
    }

    /// Runs `body` with the channel's call on its loop. A call that closed between the lookup
    /// and the hop is replaced by a fresh one when `create` is set.
    public func withCall<Result: Sendable>(
        _ channel: String, create: Bool,
        _ body: @escaping @Sendable (Call<Transport>) throws -> Result
    ) async throws -> Result? {
        for _ in 0..<3 {
            guard let handle = create ? handle(for: channel) : existing(channel) else { return nil }
            let outcome: Result?? = try await handle.eventLoop.submit {
                let call = handle.call.value
                return call.isClosed ? Result??.none : .some(try body(call))
            }.get()
            if let outcome { return outcome }
            if !create { return nil }
        }
        return nil
    }

    /// Closes every call (edge drain): participants leave, the others hear it.
    public func closeAll() async {
        let handles = calls.withLock { Array($0.values) }
        for handle in handles {
            try? await handle.eventLoop.submit { handle.call.value.close() }.get()
        }
    }

    private func forget(channel: String, identity: ObjectIdentifier) {
        calls.withLock { calls in
            // Only if the entry is still this call.
            if calls[channel]?.identity == identity { calls[channel] = nil }
        }
    }
}
