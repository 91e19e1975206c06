import NIOCore
import NIOWebSocket

/// Writes a session's text frames straight into its upgraded WebSocket channel, past the
/// async writer (which would cost a task and an event-loop hop per frame). The frames go
/// through the channel's `WebSocketFrameEncoder`; the library's own frames (pings, pongs,
/// the close handshake) still use the async writer, which is ordered after these on the
/// same event loop.
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
}
