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
    /// The channel's high write-buffer watermark: a writable channel holds at most this much.
    private let highWatermark: Int

    /// Call on the channel's event loop, once the WebSocket handlers are in its pipeline.
    init(channel: any Channel) {
        self.channel = channel
        self.encoder = (try? channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self))
            .map { NIOLoopBound($0, eventLoop: channel.eventLoop) }
        self.highWatermark = (try? channel.syncOptions?.getOption(.writeBufferWaterMark))?.high ?? .max
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    func writeOnLoop(_ texts: [OutboundText]) {
        channel.eventLoop.preconditionInEventLoop()
        let encoder = encoder?.value
        for text in texts {
            if let frame = text.frame, let encoder {
                encoder.write(NIOAny(frame), promise: nil)
            } else {
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: text.text), promise: nil)
            }
        }
        // Every frame is past the encoder by now (it buffers nothing): the flush starts there
        // rather than at the pipeline's tail.
        if let encoder { encoder.flush() } else { channel.flush() }
    }

    func holdsMore(than bytes: Int) -> Bool {
        channel.eventLoop.preconditionInEventLoop()
        // A writable channel holds at most its high watermark: most calls end here, without
        // asking the channel (an option lookup by type at every drain).
        if channel.isWritable, highWatermark <= bytes { return false }
        return ((try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0) > bytes
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
