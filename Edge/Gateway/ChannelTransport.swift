import NIOCore
import NIOWebSocket
import StreamLyAPI

/// Writes a session's text frames straight into its upgraded WebSocket channel, on its event
/// loop, through `GatewayConnectionHandler` (which passes them on) to the
/// `WebSocketFrameEncoder`. A close goes to that handler as an outbound user event
/// (`GatewayCloseRequest`): it owns the close handshake.
struct ChannelTransport: GatewayTransport {
    let channel: any Channel

    var eventLoop: any EventLoop { channel.eventLoop }

    func writeOnLoop(_ texts: [ByteBuffer], done: @escaping @Sendable (Bool) -> Void) {
        channel.eventLoop.preconditionInEventLoop()
        guard let last = texts.indices.last else { return done(true) }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        for index in texts.indices {
            let frame = WebSocketFrame(fin: true, opcode: .text, data: texts[index])
            channel.write(frame, promise: index == last ? promise : nil)
        }
        channel.flush()
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
