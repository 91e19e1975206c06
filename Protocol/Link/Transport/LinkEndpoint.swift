import Logging
import NIOCore
import NIOSSL
import StreamLyProtocol

/// Who this node is on the link, and how it authenticates and tunes connections.
public struct LinkEndpointConfiguration: Sendable {
    public var nodeID: String
    public var role: LinkRole
    public var authenticator: any LinkAuthenticator
    public var settings: LinkSettings
    public var handshakeTimeout: TimeAmount

    public init(nodeID: String, role: LinkRole, authenticator: any LinkAuthenticator,
                settings: LinkSettings = LinkSettings(), handshakeTimeout: TimeAmount = .seconds(10)) {
        self.nodeID = nodeID
        self.role = role
        self.authenticator = authenticator
        self.settings = settings
        self.handshakeTimeout = handshakeTimeout
    }
}

enum LinkPipeline {
    /// Reads of up to 1 MiB: fewer syscalls, and fewer frames spanning two reads (the only
    /// bytes `LinkFrameReader` copies). The adaptive allocator shrinks again when idle.
    static var recvAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2_048, maximum: 1 << 20)
    }

    /// Installs TLS (optional), byte counting, the frame codec and the connection
    /// handler (with `loopHandler` answering requests on the event loop); the future completes with the connection once the handshake succeeded.
    static func configure(
        _ channel: any Channel, isInitiator: Bool, endpoint: LinkEndpointConfiguration,
        tls: NIOSSLContext?, serverHostname: String?, linkName: String, loopHandler: LinkLoopHandler? = nil,
        logger: Logger
    ) -> EventLoopFuture<LinkConnection> {
        let eventLoop = channel.eventLoop
        let established = eventLoop.makePromise(of: LinkPeer.self)
        let metrics = LinkConnectionMetrics(link: linkName)
        let (inbound, continuation) = AsyncStream.makeStream(of: LinkInbound.self)
        let machineConfiguration = LinkConnectionStateMachine.Configuration(
            nodeID: endpoint.nodeID, role: endpoint.role, isInitiator: isInitiator,
            authenticator: endpoint.authenticator, settings: endpoint.settings,
            handshakeTimeout: endpoint.handshakeTimeout
        )
        let connectionPromise = eventLoop.makePromise(of: LinkConnection.self)
        do {
            let sync = channel.pipeline.syncOperations
            if let tls {
                let handler = isInitiator
                    ? try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                    : NIOSSLServerHandler(context: tls)
                try sync.addHandler(handler)
            }
            let handler = LinkConnectionHandler(
                configuration: machineConfiguration, logger: logger, metrics: metrics,
                established: established, inbound: continuation, loopHandler: loopHandler,
                nonce: { (0..<linkNonceLength).map { _ in UInt8.random(in: .min ... .max) } }
            )
            let bound = NIOLoopBound(handler, eventLoop: eventLoop)
            handler.makeFacade = { peer in
                LinkConnection(peer: peer, localSettings: endpoint.settings, channel: channel, handler: bound, inbound: inbound,
                               requestTimer: metrics.requestTimer)
            }
            try sync.addHandler(LinkByteCounter(metrics: metrics))
            try sync.addHandler(LinkFrameReader(maxFrameSize: endpoint.settings.maxFrameSize))
            try sync.addHandler(LinkFrameEncoder())
            try sync.addHandler(handler)
            established.futureResult.whenComplete { result in
                switch result {
                case .success:
                    if let facade = bound.value.facade {
                        connectionPromise.succeed(facade)
                    } else {
                        connectionPromise.fail(LinkError(.connectionClosed, "connection closed during handshake"))
                    }
                case .failure(let error):
                    connectionPromise.fail(error)
                    channel.close(promise: nil)
                }
            }
        } catch {
            connectionPromise.fail(error)
            channel.close(promise: nil)
        }
        return connectionPromise.futureResult
    }
}
