import NIOCore
import NIOPosix

/// The baseline peer: a bare NIO TCP server on loopback with no protocol at all,
/// in one of three modes matching the `sys.*` methods it stands in for.
///
/// * `echo` (for `sys.echo`): writes back every byte it reads.
/// * `sink` (for `sys.sink`): reads an 8-byte big-endian count, then that many bytes,
///   then answers with the 8-byte count.
/// * `source` (for `sys.source`): reads an 8-byte count, then writes that many bytes in
///   64 KiB slices while the socket is writable.
///
/// Like `LinkServer` it uses `MultiThreadedEventLoopGroup.singleton` and `TCP_NODELAY`.
final class RawTCPServer: Sendable {
    enum Mode: Sendable { case echo, sink, source }

    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel) { self.channel = channel }

    static func start(_ mode: Mode) async throws -> RawTCPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    switch mode {
                    case .echo: try sync.addHandler(EchoHandler())
                    case .sink: try sync.addHandler(SinkHandler())
                    case .source: try sync.addHandler(SourceHandler())
                    }
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawTCPServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Writes every byte back; flushes once per read burst.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }
}

/// Counts the announced number of bytes, then answers with the count.
private final class SinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var header = ByteBuffer()
    private var expected: UInt64?
    private var received: UInt64 = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if expected == nil {
            header.writeBuffer(&bytes)
            guard let count = header.readInteger(as: UInt64.self) else { return }
            expected = count
            received = UInt64(header.readableBytes)
        } else {
            received += UInt64(bytes.readableBytes)
        }
        if let expected, received >= expected {
            var answer = context.channel.allocator.buffer(capacity: 8)
            answer.writeInteger(received)
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
            self.expected = nil
            header.clear()
        }
    }
}

/// Writes the announced number of bytes, as fast as the socket takes them.
private final class SourceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let block = ByteBuffer(repeating: 0x5A, count: 64 * 1_024)
    private var header = ByteBuffer()
    private var left: UInt64 = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        header.writeBuffer(&bytes)
        guard let count = header.readInteger(as: UInt64.self) else { return }
        header.clear()
        left = count
        pump(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func pump(context: ChannelHandlerContext) {
        guard left > 0 else { return }
        while left > 0, context.channel.isWritable {
            let piece = Int(min(left, UInt64(block.readableBytes)))
            context.write(wrapOutboundOut(block.getSlice(at: 0, length: piece)!), promise: nil)
            left -= UInt64(piece)
        }
        context.flush()
    }
}
