import Metrics
import NIOCore

/// Closes its connection when the peer stops draining what is written to it: the channel
/// stays not writable (more than its high write-buffer watermark is queued) and not one byte
/// of what is queued reaches the socket for `timeout`. A slow reader (a client that sends
/// requests and never reads the answers) is thereby bounded in time. A peer that reads,
/// however slowly, drains bytes within every `timeout` and keeps its connection; an idle one
/// (nothing queued, e.g. a quiet WebSocket) is writable and never watched. A stalled peer is
/// closed between `timeout` and twice `timeout` after its last read. An expiry counts in
/// `streamly_connections_timed_out_total{listener, phase="write"}`.
///
/// Place it first in a connection's pipeline (before TLS), so that what it counts is what
/// the socket is handed; it passes every event and write on.
public final class WriteStallHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = IOData
    public typealias OutboundOut = IOData

    let timeout: TimeAmount
    let expired: Counter
    private var timer: Scheduled<Void>?
    /// Bytes written through this handler since it was added.
    private var written = 0
    /// Bytes that had reached the socket when the present window began.
    private var drainedAtMark = 0

    /// - Parameters:
    ///   - expired: counts the connections this handler closed (`ListenerMetrics.timedOut("write")`).
    public init(timeout: TimeAmount, expired: Counter) {
        self.timeout = timeout
        self.expired = expired
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if !context.channel.isWritable { arm(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        written &+= unwrapOutboundIn(data).readableBytes
        context.write(data, promise: promise)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { disarm() } else { arm(context: context) }
        context.fireChannelWritabilityChanged()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    /// Bytes written that have left the channel's buffer for the socket.
    private func drained(_ context: ChannelHandlerContext) -> Int {
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return written &- buffered
    }

    private func arm(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        drainedAtMark = drained(context)
        schedule(context: context)
    }

    private func schedule(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            guard !context.channel.isWritable, context.channel.isActive else { return }
            let drained = handler.drained(context)
            if drained != handler.drainedAtMark {
                // The peer read during the window: a new one begins.
                handler.drainedAtMark = drained
                handler.schedule(context: context)
                return
            }
            handler.expired.increment()
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension WriteStallHandler: Sendable {}
