import Logging
import NIOCore
import NIOWebSocket
import StreamLyAPI

/// Runs one client's upgraded WebSocket on its event loop, with no task while it is idle:
/// frames go through `WebSocketConnectionStateMachine` (fragments, pings, the close
/// handshake); whole text messages are admitted by the session's rate limit and queued in
/// its `RequestLane`, whose worker task exists only while there is something to perform. A
/// full lane stops the reading (frames of a read already made still join it). The edge pings
/// every `GatewayLimits.pingInterval`; the auth deadline is a timer; a close (from the
/// session: `GatewayCloseRequest`) is sent after every frame the session accepted, and the
/// connection ends when the client answers it or `Gateway.closeGrace` is over.
final class GatewayConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let gateway: Gateway
    /// The token of the upgrade request, verified before any frame is decided.
    private let token: String?
    private var machine: WebSocketConnectionStateMachine
    private var connection: Connection?
    /// A `read` held back while the lane was full.
    private var readHeld = false

    /// What exists while the handler is in a pipeline.
    private struct Connection {
        let context: ChannelHandlerContext
        let session: GatewaySession
        let lane: RequestLane<LaneItem>
        let deadline: NIOLoopBoundBox<Scheduled<Void>?>
        var ping: RepeatedTask?
        var grace: Scheduled<Void>?
    }

    init(gateway: Gateway, token: String?) {
        self.gateway = gateway
        self.token = token
        self.machine = WebSocketConnectionStateMachine(maxMessageBytes: gateway.limits.maxFrameBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let session = try? gateway.opened(channel: context.channel) else {
            // Not expected: the upgrade puts the frame encoder in first. Without it no frame can
            // be written, so the connection ends.
            gateway.logger.error("websocket pipeline without a frame encoder: connection closed")
            context.close(promise: nil)
            return
        }
        session.writabilityChanged(context.channel.isWritable)
        var connection = Connection(
            context: context, session: session, lane: RequestLane(capacity: gateway.limits.maxQueuedRequests),
            deadline: NIOLoopBoundBox.makeEmptyBox(valueType: Scheduled<Void>.self, eventLoop: context.eventLoop))
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let interval = TimeAmount(gateway.limits.pingInterval)
        connection.ping = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            this.value.perform(this.value.machine.pingDue())
        }
        self.connection = connection
        gateway.watchDeadline(of: session, timer: connection.deadline)
        if let token { queue(.upgradeToken(token)) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(machine.received(unwrapInboundIn(data)))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        connection?.session.writabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOWebSocketError {
            perform(machine.decodingFailed())
        } else {
            gateway.logger.debug("websocket connection failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The listener stops: clients still here (the gateway's drain sent 1001 before)
            // go elsewhere.
            connection?.session.close(code: WebSocketCloseCode.goingAway, reason: "edge shutting down")
        } else if event is LaneHasRoom {
            if readHeld, connection?.lane.holdsReader() == false {
                readHeld = false
                context.read()
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let close = event as? GatewayCloseRequest else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        perform(machine.closeRequested(close.code, reason: close.reason))
        promise?.succeed()
    }

    func read(context: ChannelHandlerContext) {
        if connection?.lane.holdsReader() == true {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.ended()
        if let connection {
            connection.ping?.cancel()
            connection.grace?.cancel()
            connection.deadline.value?.cancel()
            connection.session.finish()
            if connection.lane.finish() {
                let gateway = self.gateway
                let session = connection.session
                Task { await gateway.ended(session) }
            }
            self.connection = nil
        }
        context.fireChannelInactive()
    }

    private func perform(_ action: WebSocketConnectionStateMachine.Action) {
        guard let connection else { return }
        let context = connection.context
        let session = connection.session
        switch action {
        case .none:
            break
        case .deliverText(let message):
            guard !session.isClosing else { return }
            if let verdict = session.state.withLock({ $0.machine.admit(now: Gateway.now()) }) {
                gateway.respond(verdict, session: session)
            } else {
                queue(.frame(Array(message.readableBytesView)))
            }
        case .deliverBinary:
            gateway.respond(session.state.withLock { $0.machine.receivedBinary() }, session: session)
        case .sendPong(let data):
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: data)), promise: nil)
        case .sendPing:
            let ping = WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(ping), promise: nil)
        case .sendClose(let code, let reason):
            session.finish()
            gateway.closing(session, code: code, reason: reason)
            session.drain()  // everything accepted goes out ahead of the close frame
            context.writeAndFlush(wrapOutboundOut(Self.closeFrame(code: code.rawValue, reason: reason,
                                                                  allocator: context.channel.allocator)), promise: nil)
            let channel = context.channel
            self.connection?.grace = context.eventLoop.scheduleTask(in: TimeAmount(Gateway.closeGrace)) {
                channel.close(promise: nil)
            }
        case .answerClose(let code):
            session.finish()
            let frame = code.map { Self.closeFrame(code: $0, reason: "", allocator: context.channel.allocator) }
                ?? WebSocketFrame(fin: true, opcode: .connectionClose, data: context.channel.allocator.buffer(capacity: 0))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
        case .end:
            context.close(promise: nil)
        }
    }

    /// Queues a request in the lane and starts its worker if none runs.
    private func queue(_ item: LaneItem) {
        guard let connection, connection.lane.put(item) else { return }
        let (channel, lane, session) = (connection.context.channel, connection.lane, connection.session)
        Task { [gateway] in
            await gateway.runLane(lane, session: session) {
                channel.pipeline.fireUserInboundEventTriggered(LaneHasRoom())
            }
        }
    }

    private static func closeFrame(code: UInt16, reason: String, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 2 + 123)
        data.writeInteger(code)
        // A control frame's payload is at most 125 bytes (RFC 6455 §5.5): the reason is cut at a character.
        var utf8 = 0
        for character in reason {
            guard utf8 + character.utf8.count <= 123 else { break }
            utf8 += character.utf8.count
        }
        data.writeBytes(reason.utf8.prefix(utf8))
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }
}

/// Tells a connection's handler that its lane, full before, has room: it reads again.
struct LaneHasRoom: Sendable {}
