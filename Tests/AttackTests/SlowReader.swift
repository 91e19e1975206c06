import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// A slow-read attacker's connection (issue 11, slow read): from a loopback source address of
/// its own, over TLS or plain TCP, it sends pipelined requests and then reads nothing (reads
/// are off after the TLS handshake, and its receive buffer is small), so whatever the server
/// answers piles up on the server's side. `drain()` turns reading on afterwards to see how the
/// connection ended: how many bytes came, and whether the server closed it.
final class SlowReader: Sendable {
    let channel: any Channel
    private let received = Atomic(0)
    private let closed = Atomic(false)

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects from `source` to 127.0.0.1:`port` (TLS without certificate checks when `tls`),
    /// waits for the TLS handshake, stops reading and sends `requests`; nil when the
    /// connection could not be made.
    static func open(from source: String, to port: Int, tls: Bool, requests: [String]) async -> SlowReader? {
        do {
            let handshake = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
            let counter = ByteCount()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .channelOption(.socketOption(.so_rcvbuf), value: 4_096)
                .bind(to: try SocketAddress(ipAddress: source, port: 0))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if tls {
                            var configuration = TLSConfiguration.makeClientConfiguration()
                            configuration.certificateVerification = .none
                            configuration.applicationProtocols = ["http/1.1"]
                            let context = try NIOSSLContext(configuration: configuration)
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
                        }
                        try channel.pipeline.syncOperations.addHandler(StopReading(tls: tls, handshake: handshake, counter: counter))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            try await handshake.futureResult.get()
            let reader = SlowReader(channel: channel)
            counter.reader.withLock { $0 = reader }
            channel.closeFuture.whenComplete { _ in reader.closed.store(true, ordering: .relaxed) }
            for request in requests { channel.write(ByteBuffer(string: request), promise: nil) }
            try await channel.writeAndFlush(ByteBuffer()).get()
            return reader
        } catch {
            return nil
        }
    }

    /// Reads again, discarding what arrives, until the server closes the connection or
    /// `timeout` passes; returns whether it was closed and how many bytes of answers arrived.
    func drain(timeout: Duration) async -> (closed: Bool, bytes: Int) {
        _ = try? await channel.setOption(.autoRead, value: true).get()
        channel.read()
        let deadline = ContinuousClock.now + timeout
        while !closed.load(ordering: .relaxed), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (closed.load(ordering: .relaxed), received.load(ordering: .relaxed))
    }

    func close() { channel.close(promise: nil) }

    /// Where the bytes read are counted (the reader exists only once the channel is connected).
    private final class ByteCount: Sendable {
        let reader = Mutex<SlowReader?>(nil)
        func add(_ count: Int) { reader.withLock { $0 }?.received.add(count, ordering: .relaxed) }
    }

    /// Turns reading off once the connection can carry requests (at once over TCP, after the
    /// handshake over TLS), counts and drops what is read afterwards.
    private final class StopReading: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let tls: Bool
        let handshake: EventLoopPromise<Void>
        let counter: ByteCount

        init(tls: Bool, handshake: EventLoopPromise<Void>, counter: ByteCount) {
            self.tls = tls
            self.handshake = handshake
            self.counter = counter
        }

        func channelActive(context: ChannelHandlerContext) {
            if !tls { stop(context) }
            context.fireChannelActive()
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { stop(context) }
            context.fireUserInboundEventTriggered(event)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            counter.add(unwrapInboundIn(data).readableBytes)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            handshake.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            handshake.fail(ChannelError.ioOnClosedChannel)
            context.fireChannelInactive()
        }

        private func stop(_ context: ChannelHandlerContext) {
            context.channel.setOption(.autoRead, value: false).whenComplete { _ in self.handshake.succeed(()) }
        }
    }
}

extension Array where Element == SlowReader {
    func closeAll() { for reader in self { reader.close() } }
}
