import NIOCore
import NIOPosix
import StreamLyListeners

extension MediaServer {
    /// The ICE-TCP listener (RFC 6544 passive candidates): accepted connections run on the
    /// socket's loop, next to the router; each frame (RFC 4571) goes through the same demux as
    /// a UDP datagram. Connections beyond `maximumTCPConnections`, or beyond
    /// `maximumTCPConnectionsPerAddress` from one client, are closed at once.
    func startTCPListener(port: Int) async throws -> any Channel {
        let metrics = self.metrics
        let router = self.router
        let maximumFrame = configuration.maximumDatagramSize
        let limiter = ConnectionLimiter(limits: ConnectionLimits(
            maxConnections: configuration.maximumTCPConnections,
            maxConnectionsPerAddress: configuration.maximumTCPConnectionsPerAddress))
        let listenerMetrics = ListenerMetrics(listener: "ice-tcp")
        let bindingTimeout = configuration.ice.consentTimeout
        return try await ServerBootstrap(group: socketLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard limiter.admit(channel, metrics: listenerMetrics) else {
                        metrics.datagramDropped("tcp-connection-limit")
                        throw ConnectionRefused(listener: "ice-tcp")
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(RFC4571FrameDecoder(maximumFrameLength: maximumFrame)),
                        RFC4571FrameEncoder(),
                        MediaStreamHandler(router: router.value, metrics: metrics, bindingTimeout: bindingTimeout),
                    ])
                }
            }
            .bind(host: configuration.host, port: port).get()
    }
}
