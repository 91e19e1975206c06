import NIOCore
import NIOPosix

/// An ICE-TCP client for tests: RFC 4571 frames (16-bit length + packet) both ways over one
/// loopback connection; `next()` returns one unframed packet.
final class TCPTestSocket: Sendable {
    let channel: any Channel
    let packets: AsyncStream<ByteBuffer>

    init(group: any EventLoopGroup, server: SocketAddress) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        packets = stream
        channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Deframer(continuation: continuation))
                }
            }
            .connect(to: server).get()
    }

    func send(_ packet: ByteBuffer) async throws {
        var framed = ByteBuffer()
        framed.writeInteger(UInt16(packet.readableBytes))
        framed.writeImmutableBuffer(packet)
        try await channel.writeAndFlush(framed)
    }

    /// Sends raw bytes without framing (for malformed-input tests).
    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func next(timeout: Duration = .seconds(10)) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                for await packet in self.packets { return packet }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimeoutError(description: "no frame within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let packet = try await group.next() ?? nil else { throw TimeoutError(description: "connection closed") }
            return packet
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// Reassembles frames from the byte stream.
    private final class Deframer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation
        var pending = ByteBuffer()

        init(continuation: AsyncStream<ByteBuffer>.Continuation) {
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            pending.writeBuffer(&bytes)
            while let length = pending.getInteger(at: pending.readerIndex, as: UInt16.self),
                  pending.readableBytes >= 2 + Int(length) {
                pending.moveReaderIndex(forwardBy: 2)
                continuation.yield(pending.readSlice(length: Int(length))!)
            }
            pending.discardReadBytes()
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
        }
    }
}
