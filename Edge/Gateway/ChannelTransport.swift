import NIOCore
import NIOWebSocket
import StreamLyAPI

/// Writes a session's text frames straight into its upgraded WebSocket channel, on its event
/// loop, through `GatewayConnectionHandler` (which passes them on) to the
/// `WebSocketFrameEncoder`; a frame encoded once for fan-out (`OutboundText.frame`) goes in
/// as the encoder would have passed it on, from the encoder's context to the socket. Both
/// paths write synchronously on the loop, so the order of the calls is the order on the
/// wire. A close goes to that handler as an outbound user event (`GatewayCloseRequest`):
/// it owns the close handshake.
struct ChannelTransport: GatewayTransport {
    let channel: any Channel
    /// The frame encoder's context, if the pipeline has one (looked up once, on the loop).
    private let encoder: NIOLoopBound<ChannelHandlerContext>?

    /// Call on the channel's event loop, once the WebSocket handlers are in its pipeline.
    init(channel: any Channel) {
        self.channel = channel
        self.encoder = (try? channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self))
            .map { NIOLoopBound($0, eventLoop: channel.eventLoop) }
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    func writeOnLoop(_ texts: [OutboundText], done: @escaping @Sendable (Bool) -> Void) {
        channel.eventLoop.preconditionInEventLoop()
        guard let last = texts.indices.last else { return done(true) }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let encoder = encoder?.value
        for index in texts.indices {
            let text = texts[index]
            let ends = index == last ? promise : nil
            if let frame = text.frame, let encoder {
                encoder.write(NIOAny(frame), promise: ends)
            } else {
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: text.text), promise: ends)
            }
        }
        // Every frame is past the encoder by now (it buffers nothing): the flush starts there
        // rather than at the pipeline's tail.
        if let encoder { encoder.flush() } else { channel.flush() }
        promise.futureResult.whenComplete { result in
            if case .success = result { done(true) } else { done(false) }
        }
    }

    func close(code: WebSocketCloseCode, reason: String) {
        channel.triggerUserOutboundEvent(GatewayCloseRequest(code: code, reason: reason), promise: nil)
    }
}

/// A session's close, on its way to the connection's `GatewayConnectionHandler`.
struct GatewayCloseRequest: Sendable {
    let code: WebSocketCloseCode
    let reason: String
}
