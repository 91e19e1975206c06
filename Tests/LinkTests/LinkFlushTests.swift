import Logging
import NIOCore
import NIOEmbedded
import StreamLyProtocol
import Testing
@testable import StreamLyLink

/// When the handler's frames leave: within a long read burst, not only at its end.
@Suite("Link flushes")
struct LinkFlushTests {
    static let secret = String(repeating: "k", count: 40)

    /// A server-side handler on an `EmbeddedChannel` (no encoder: the channel's outbound buffer
    /// holds the frames flushed so far), established with a client state machine driven here.
    static func establishedServer() throws -> (channel: EmbeddedChannel, client: LinkConnectionStateMachine) {
        let channel = EmbeddedChannel()
        let authenticator = try ClusterSecretAuthenticator(secret: secret)
        let (inbound, continuation) = AsyncStream.makeStream(of: LinkInbound.self)
        let metrics = LinkConnectionMetrics(link: "test")
        let handler = LinkConnectionHandler(
            configuration: .init(nodeID: "origin", role: .origin, isInitiator: false, authenticator: authenticator),
            logger: Logger(label: "test"), metrics: metrics, established: channel.eventLoop.makePromise(),
            inbound: continuation, loopHandler: LinkDiagnostics.loopHandler(nodeID: "origin"),
            nonce: { Array(repeating: 7, count: linkNonceLength) })
        let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        handler.makeFacade = { peer in
            LinkConnection(peer: peer, localSettings: LinkSettings(), channel: channel, handler: bound, inbound: inbound,
                           requestTimer: metrics.requestTimer)
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        var client = LinkConnectionStateMachine(configuration: .init(
            nodeID: "edge", role: .edge, isInitiator: true, authenticator: authenticator))
        var toServer = client.start(nonce: Array(repeating: 9, count: linkNonceLength), now: .now()).map { [$0] } ?? []
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        for _ in 0..<4 {
            for frame in toServer { try channel.writeInbound(frame) }
            toServer = []
            while let frame = try channel.readOutbound(as: LinkFrame.self) {
                switch client.receive(frame, now: .now()) {
                case .send(let reply): toServer.append(reply)
                case .established(_, let reply?): toServer.append(reply)
                default: break
                }
            }
        }
        #expect(client.isActive)
        return (channel, client)
    }

    @Test("a long read burst's answers leave every 16 frames, before the burst ends")
    func flushesWithinABurst() throws {
        let (channel, established) = try Self.establishedServer()
        var client = established
        let count = 3 * LinkConnectionHandler.framesPerFlush + 5
        for _ in 0..<count {
            let request = LinkFrame.request(.init(
                streamID: try client.openStream(), method: "sys.echo", body: ByteBuffer(string: "x"), endStream: true))
            channel.pipeline.fireChannelRead(NIOAny(request))  // one read burst: no read-complete yet
        }
        var answered = 0
        while let frame = try channel.readOutbound(as: LinkFrame.self) {
            if case .response = frame { answered += 1 }
        }
        #expect(answered == 3 * LinkConnectionHandler.framesPerFlush)
        channel.pipeline.fireChannelReadComplete()
        while let frame = try channel.readOutbound(as: LinkFrame.self) {
            if case .response = frame { answered += 1 }
        }
        #expect(answered == count)
        _ = try? channel.finish()
    }
}
