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
///
/// Three words, so that a session holds it in place (an existential's inline buffer) rather than
/// in a box of its own: one cache line less for every write of a fan-out.
///
/// `@unchecked Sendable`: the encoder's context may only be used on the channel's event loop;
/// every use here checks that it runs there (`preconditionInEventLoop`), as `NIOLoopBound` would.
struct ChannelTransport: GatewayTransport, @unchecked Sendable {
    let channel: any Channel
    /// The frame encoder's context: shared frames are written from it (past the encoder).
    private let encoder: ChannelHandlerContext

    /// Call on the channel's event loop, once the WebSocket handlers are in its pipeline; throws
    /// if the pipeline has no `WebSocketFrameEncoder`.
    init(channel: any Channel) throws {
        self.channel = channel
        self.encoder = try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    /// The channel's high write-buffer watermark (read on the loop, when the session is made).
    var writableHoldsAtMost: Int {
        (try? channel.syncOptions?.getOption(.writeBufferWaterMark))?.high ?? .max
    }

    func writeOnLoop(_ texts: [OutboundText]) {
        encoder.eventLoop.preconditionInEventLoop()
        for text in texts {
            if let frame = text.frame {
                encoder.write(NIOAny(frame), promise: nil)
            } else {
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: text.text), promise: nil)
            }
        }
        // Every frame is past the encoder by now (it buffers nothing): the flush starts there
        // rather than at the pipeline's tail.
        encoder.flush()
    }

    func holdsMore(than bytes: Int) -> Bool {
        channel.eventLoop.preconditionInEventLoop()
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
