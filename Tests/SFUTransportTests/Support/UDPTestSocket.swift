import NIOCore
import NIOPosix

/// A UDP socket on 127.0.0.1 for tests that play the peer by hand: datagrams in as an
/// `AsyncStream`, `send(_:to:)` out.
final class UDPTestSocket: Sendable {
    let channel: any Channel
    let datagrams: AsyncStream<AddressedEnvelope<ByteBuffer>>

    init(group: any EventLoopGroup) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self)
        datagrams = stream
        channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: continuation))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var address: SocketAddress { channel.localAddress! }

    func send(_ bytes: ByteBuffer, to address: SocketAddress) async throws {
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: bytes))
    }

    func send(_ bytes: [UInt8], to address: SocketAddress) async throws {
        try await send(ByteBuffer(bytes: bytes), to: address)
    }

    /// The next datagram, or a `TimeoutError` after `timeout` (a bound for a hung test).
    func next(timeout: Duration = .seconds(10)) async throws -> AddressedEnvelope<ByteBuffer> {
        try await withThrowingTaskGroup(of: AddressedEnvelope<ByteBuffer>?.self) { group in
            group.addTask {
                for await datagram in self.datagrams { return datagram }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimeoutError(description: "no datagram within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let datagram = try await group.next() ?? nil else { throw TimeoutError(description: "socket closed") }
            return datagram
        }
    }

    func close() async {
        try? await channel.close()
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation

        init(continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation) {
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
        }
    }
}
