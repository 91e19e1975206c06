import NIOCore

/// Matches replies to commands on one connection: a FIFO queue of promises, so any number of
/// callers can pipeline commands on the same channel. Lives on the channel's event loop.
///
/// On a subscriber connection (`pushSink` set), `message`/`pmessage` arrays are out-of-band pushes
/// and go to the sink instead of the queue; confirmations of SUBSCRIBE and friends (one per
/// channel) are matched to their command.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = Request
    typealias OutboundOut = [RedisArgument]

    /// A command with the promise for its reply.
    struct Request {
        var arguments: [RedisArgument]
        /// How many replies the command produces: 1, or one per channel for (P)(UN)SUBSCRIBE.
        /// The promise completes with the last one.
        var replyCount: Int
        var promise: EventLoopPromise<RESPValue>
    }

    private struct Pending {
        var remaining: Int
        var promise: EventLoopPromise<RESPValue>
    }

    private var pending = CircularBuffer<Pending>(initialCapacity: 64)
    /// Set once the connection failed or closed; later commands fail with it at once.
    private var failure: RedisError?
    private let pushSink: (@Sendable (RedisPubSubMessage) -> Void)?

    init(pushSink: (@Sendable (RedisPubSubMessage) -> Void)? = nil) {
        self.pushSink = pushSink
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        pending.append(Pending(remaining: max(request.replyCount, 1), promise: request.promise))
        context.write(wrapOutboundOut(request.arguments), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if let pushSink, let message = RedisPubSubMessage(push: value) {
            pushSink(message)
            return
        }
        guard var head = pending.first else {
            fail(context: context, RedisError(.protocolError, "reply without a pending command: \(String(describing: value).prefix(100))"))
            return
        }
        if case .error(let message) = value {
            // An error ends the command even if more replies were expected (e.g. SUBSCRIBE refused).
            pending.removeFirst()
            head.promise.fail(RedisError(.server, message))
            return
        }
        head.remaining -= 1
        if head.remaining == 0 {
            pending.removeFirst()
            head.promise.succeed(value)
        } else {
            pending[pending.startIndex] = head
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let redisError = error as? RedisError ?? RedisError(.connectionClosed, "connection to Redis failed: \(error)")
        fail(context: context, redisError)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "connection to Redis closed"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "connection to Redis closed"))
    }

    /// Fails every pending command with `error` and closes the connection.
    private func fail(context: ChannelHandlerContext, _ error: RedisError) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        if failure == nil { failure = error }
        while let next = pending.popFirst() {
            next.promise.fail(error)
        }
    }
}
