import Logging
import NIOCore
import NIOPosix
import NIOSSL
import StreamLyProtocol

/// Opens link connections.
public enum LinkClient {
    /// Connects, runs the handshake and returns the authenticated connection.
    /// Throws `LinkError` with the peer's error code when it refuses us (e.g. AUTH_FAILED).
    public static func connect(
        host: String, port: Int, endpoint: LinkEndpointConfiguration, tls: NIOSSLContext? = nil,
        serverHostname: String? = nil, linkName: String? = nil,
        connectTimeout: TimeAmount = .seconds(5), logger: Logger = Logger(label: "streamly.link"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> LinkConnection {
        let eventLoop = group.next()
        let connection = eventLoop.makePromise(of: LinkConnection.self)
        let name = linkName ?? "\(host):\(port)"
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: LinkPipeline.recvAllocator)
            .channelInitializer { channel in
                LinkPipeline.configure(
                    channel, isInitiator: true, endpoint: endpoint, tls: tls,
                    serverHostname: serverHostname, linkName: name, logger: logger
                ).cascade(to: connection)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
        do {
            _ = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            connection.fail(error)
            throw LinkError(.unavailable, "cannot connect to \(host):\(port): \(error)")
        }
        return try await connection.futureResult.get()
    }
}
