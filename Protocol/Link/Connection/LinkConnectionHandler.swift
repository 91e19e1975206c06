import Logging
import NIOCore
import StreamLyProtocol

/// The NIO side of one link connection: owns the `LinkConnectionStateMachine`,
/// performs its actions (writes, timers, closing) and bridges streams to the
/// async world. Lives on its channel's event loop only.
final class LinkConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = LinkFrame
    typealias OutboundOut = LinkFrame

    /// Who waits for the response to a request we sent.
    enum ResponseWaiter {
        case promise(EventLoopPromise<LinkResponse>)
        case continuation(CheckedContinuation<LinkResponse, any Error>)

        func succeed(_ response: LinkResponse) {
            switch self {
            case .promise(let promise): promise.succeed(response)
            case .continuation(let continuation): continuation.resume(returning: response)
            }
        }

        func fail(_ error: any Error) {
            switch self {
            case .promise(let promise): promise.fail(error)
            case .continuation(let continuation): continuation.resume(throwing: error)
            }
        }
    }

    /// A request we sent: its waiter until the RESPONSE arrives, then the body's
    /// continuation while the response body streams.
    struct LocalStream {
        var waiter: ResponseWaiter?
        var body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?
    }

    var machine: LinkConnectionStateMachine
    let logger: Logger
    let metrics: LinkConnectionMetrics
    let established: EventLoopPromise<LinkPeer>
    let inbound: AsyncStream<LinkInbound>.Continuation
    /// Builds the public façade once the handshake finished (needs the channel).
    var makeFacade: ((LinkPeer) -> LinkConnection)?
    /// Strong until the channel closes, which breaks the facade ↔ handler cycle.
    var facade: LinkConnection?

    var context: ChannelHandlerContext?
    var localStreams: [LinkStreamID: LocalStream] = [:]
    var remoteBodies: [LinkStreamID: AsyncThrowingStream<ByteBuffer, any Error>.Continuation] = [:]
    var outbound = LinkOutboundQueue()
    var heartbeat: RepeatedTask?
    var handshakeTimer: Scheduled<Void>?
    var closeError: LinkError?
    let nonce: () -> [UInt8]
    /// A flush is due by the end of this event-loop tick.
    var flushPending = false
    /// Frames written since the last flush.
    var unflushedFrames = 0
    /// Within a read burst, the frames written so far are flushed every this many, so the peer
    /// starts on them while this side reads on (the two loops overlap instead of taking turns;
    /// 16 measured best against 4, 8 and 32: loadtest/RESULTS.md, issue 15 round 5).
    static let framesPerFlush = 16
    /// DATA chunks received in this read burst, handed to their bodies at
    /// `channelReadComplete`: a reader wakes once per burst, not once per frame.
    var receivedChunks: [(body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation, chunk: ByteBuffer, end: Bool)] = []
    /// Answers requests on this event loop before they reach `inbound` (see `LinkLoopHandler`).
    let loopHandler: LinkLoopHandler?
    /// Request bodies read on the event loop by a `LinkLoopHandler`.
    var loopBodies: [LinkStreamID: LoopBody] = [:]
    /// Response bodies pulled on the event loop, for a `LinkLoopHandler`.
    var loopSources: [LinkStreamID: () -> (chunk: ByteBuffer, isLast: Bool)] = [:]

    /// A body read on the event loop: each chunk, then the end (with the error if it failed).
    struct LoopBody {
        var chunk: (ByteBuffer) -> Void
        var end: (LinkError?) -> Void
    }

    init(configuration: LinkConnectionStateMachine.Configuration, logger: Logger, metrics: LinkConnectionMetrics,
         established: EventLoopPromise<LinkPeer>, inbound: AsyncStream<LinkInbound>.Continuation,
         loopHandler: LinkLoopHandler? = nil, nonce: @escaping () -> [UInt8]) {
        self.loopHandler = loopHandler
        self.machine = LinkConnectionStateMachine(configuration: configuration)
        self.logger = logger
        self.metrics = metrics
        self.established = established
        self.inbound = inbound
        self.nonce = nonce
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard heartbeat == nil, handshakeTimer == nil else { return }
        if let hello = machine.start(nonce: nonce(), now: .now()) {
            write(hello, flush: true)
        }
        let timeout = machine.configuration.handshakeTimeout
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            self.tick()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        metrics.framesIn.increment()
        perform(machine.receive(frame, now: .now()))
        if let update = machine.received(bodyBytes: frame.flowControlledLength) {
            write(update, flush: false)
        }
        if unflushedFrames >= Self.framesPerFlush {
            unflushedFrames = 0
            context.flush()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliverReceivedChunks()
        flushPending = false
        unflushedFrames = 0
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { flushQueuedBodies() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let protocolError = error as? LinkProtocolError {
            logger.warning("link protocol error", metadata: ["error": "\(protocolError)"])
            closeWithFrame(machine.decodingFailed(protocolError), error: LinkError(protocolError))
        } else {
            logger.debug("link I/O error", metadata: ["error": "\(error)"])
            closeError = closeError ?? LinkError(.connectionClosed, "I/O error: \(error)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // First: a waiter's callback (a `submit` future completes inline) that sends again must
        // find the connection gone and get `.refused`, not a closed state machine.
        self.context = nil
        machine.closed()
        heartbeat?.cancel()
        handshakeTimer?.cancel()
        let error = closeError ?? LinkError(.connectionClosed, "connection closed")
        established.fail(error)
        for (_, stream) in localStreams {
            stream.waiter?.fail(error)
            stream.body?.finish(throwing: error)
        }
        deliverReceivedChunks()
        for (_, body) in remoteBodies { body.finish(throwing: error) }
        let bodies = loopBodies
        localStreams.removeAll()
        remoteBodies.removeAll()
        loopBodies.removeAll()
        loopSources.removeAll()
        for (_, body) in bodies { body.end(error) }
        outbound.failAll(error)
        inbound.finish()
        facade?.markDraining()
        facade = nil
        context.fireChannelInactive()
    }

    // MARK: - Performing state machine actions

    func perform(_ action: LinkConnectionStateMachine.ReceiveAction) {
        switch action {
        case .none:
            break
        case .send(let frame):
            write(frame, flush: false)
        case .established(let peer, let reply):
            if let reply { write(reply, flush: true) }
            becameActive(peer)
        case .request(let request):
            deliverRequest(request)
        case .response(let response):
            deliverResponse(response)
        case .data(let chunk):
            deliverData(chunk)
        case .streamReset(let reset):
            failStream(reset.streamID, LinkError(
                reset.code == .refusedStream ? .refused : .streamReset, protocolCode: reset.code,
                reset.reason.isEmpty ? "stream reset by peer" : reset.reason))
        case .windowOpened:
            flushQueuedBodies()
        case .message(let message):
            inbound.yield(.message(message))
        case .pong:
            break
        case .goAway(let goAway, let refused, let close):
            receivedGoAway(goAway, refused: refused, close: close)
        case .fail(let error, let frame):
            if case .stream(let id) = error.scope {
                write(frame, flush: true)
                failStream(id, LinkError(error))
            } else {
                logger.warning("closing link: \(error)")
                closeWithFrame(frame, error: LinkError(error))
            }
        }
    }

    private func becameActive(_ peer: LinkPeer) {
        handshakeTimer?.cancel()
        handshakeTimer = nil
        if let makeFacade {
            facade = makeFacade(peer)
            self.makeFacade = nil
        }
        let interval = TimeAmount.milliseconds(Int64(machine.configuration.settings.heartbeatIntervalMilliseconds))
        if let eventLoop = context?.eventLoop {
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            heartbeat = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                bound.value.tick()
            }
        }
        established.succeed(peer)
    }

    func tick() {
        switch machine.tick(now: .now()) {
        case .none:
            break
        case .sendPing(let ping):
            write(ping, flush: true)
        case .close(let frame):
            let code: LinkErrorCode = if case .goAway(let g) = frame { g.code } else { .internalError }
            logger.warning("closing link", metadata: ["code": "\(code)"])
            closeWithFrame(frame, error: LinkError(.protocolFailure, protocolCode: code, "\(code)"))
        }
    }

    private func receivedGoAway(_ goAway: LinkFrame.GoAway, refused: [LinkStreamID], close: Bool) {
        let reason = goAway.reason.isEmpty ? "peer sent GOAWAY \(goAway.code)" : goAway.reason
        for id in refused {
            failStream(id, LinkError(.refused, protocolCode: .refusedStream, "peer is draining: \(reason)"))
        }
        facade?.markDraining()
        if close {
            let error = LinkError(.protocolFailure, protocolCode: goAway.code, reason)
            closeError = error
            established.fail(error)
            context?.close(promise: nil)
        }
    }

    func closeWithFrame(_ frame: LinkFrame, error: LinkError) {
        closeError = closeError ?? error
        guard let context else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Writes a frame. `flush` asks for it to leave by the end of this event-loop tick:
    /// at `channelReadComplete` when written while reading, else in one flush after the
    /// tasks already queued on the loop, so a burst of frames costs one syscall.
    func write(_ frame: LinkFrame, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard let context else {
            promise?.fail(LinkError(.connectionClosed, "connection closed"))
            return
        }
        metrics.framesOut.increment()
        unflushedFrames += 1
        context.write(wrapOutboundOut(frame), promise: promise)
        if flush { flushSoon() }
    }

    /// Schedules one flush for the end of this tick (see `write`).
    func flushSoon() {
        guard !flushPending, let context else { return }
        flushPending = true
        context.eventLoop.assumeIsolated().execute { [self] in
            guard flushPending else { return }
            flushPending = false
            unflushedFrames = 0
            self.context?.flush()
        }
    }
}
