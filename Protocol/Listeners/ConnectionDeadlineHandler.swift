import Metrics
import NIOCore

/// Closes its connection unless an inbound user event that `isDisarmedBy` accepts arrives
/// within `timeout` of the handler being added; that event cancels the deadline and the
/// handler leaves the pipeline (it costs nothing after). Listeners use it for phases an
/// outsider could otherwise stretch without end: the TLS handshake (disarmed by
/// `TLSUserEvent.handshakeCompleted`, so place it after the TLS handler) and the first
/// request head (slowloris). An expiry counts in
/// `streamly_connections_timed_out_total{listener, phase}`.
public final class ConnectionDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    let timeout: TimeAmount
    let isDisarmedBy: (Any) -> Bool
    let expired: Counter
    private var timer: Scheduled<Void>?
    private var disarmed = false

    /// - Parameters:
    ///   - expired: counts the connections this handler closed (`ListenerMetrics.timedOut(_:)`).
    public init(timeout: TimeAmount, expired: Counter, isDisarmedBy: @escaping (Any) -> Bool) {
        self.timeout = timeout
        self.isDisarmedBy = isDisarmedBy
        self.expired = expired
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            guard !handler.disarmed else { return }
            handler.expired.increment()
            context.close(promise: nil)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !disarmed, isDisarmedBy(event) {
            disarmed = true
            timer?.cancel()
            timer = nil
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension ConnectionDeadlineHandler: Sendable {}
