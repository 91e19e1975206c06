import HummingbirdCore
import Logging
import NIOCore
import StreamLyListeners

/// A public listener's child channel: admits each accepted connection through the shared
/// `ConnectionLimiter` (over a cap it is closed at once and `Base` never sees it), then arms
/// the request-head deadline (slowloris) and the write-stall deadline (slow readers) before
/// `Base` sets up its pipeline.
struct LimitedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let limiter: ConnectionLimiter
    let metrics: ListenerMetrics
    let headerTimeout: Duration
    let writeTimeout: Duration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard limiter.admit(channel, metrics: metrics) else {
            logger.debug("connection refused by the connection limits", metadata: ["remote": "\(channel.remoteAddress?.description ?? "?")"])
            return channel.eventLoop.makeFailedFuture(ConnectionRefused(listener: metrics.listener))
        }
        do {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
            try channel.pipeline.syncOperations.addHandler(RequestHeadArrived.deadline(headerTimeout, metrics: metrics))
            try channel.pipeline.syncOperations.addHandler(WriteStallHandler(timeout: TimeAmount(writeTimeout),
                                                                              expired: metrics.timedOut("write")))
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    /// NIO keeps a connection's receive buffer for its next read, so an idle connection holds
    /// one: it starts at 1 KiB (NIO's default is 2 KiB, a fifth of an idle WebSocket's memory
    /// on the edge) and grows when reads fill it, as NIO's does.
    static var receiveBuffers: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1_024, maximum: 65_536)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
