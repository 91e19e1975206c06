import NIOCore

/// The inbound end of one ICE-TCP connection (after `RFC4571FrameDecoder`): the same demux
/// as `MediaDatagramHandler`, with the connection itself as the path. A connection not bound
/// to a transport by a valid check within the consent timeout is closed.
final class MediaStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let router: MediaRouter
    private let metrics: MediaServerMetrics
    private let bindingTimeout: TimeAmount
    private var connection: TCPMediaConnection?
    private var bindingTimer: Scheduled<Void>?

    init(router: MediaRouter, metrics: MediaServerMetrics, bindingTimeout: TimeAmount) {
        self.router = router
        self.metrics = metrics
        self.bindingTimeout = bindingTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = TCPMediaConnection(channel: context.channel)
        self.connection = connection
        router.connectionOpened(connection)
        let channel = context.channel
        bindingTimer = context.eventLoop.scheduleTask(in: bindingTimeout) {
            if connection.transport == nil { channel.close(promise: nil) }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        bindingTimer?.cancel()
        if let connection {
            router.connectionClosed(connection)
            connection.transport?.pathClosed(.tcp(connection))
            connection.transport = nil
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        let frame = unwrapInboundIn(data)
        metrics.bytesIn.increment(by: frame.readableBytes)
        let kind = DatagramKind.classify(frame)
        switch kind {
        case .stun:
            guard let message = try? StunMessage.parse(frame) else { return metrics.stunDropped("malformed") }
            guard message.type == .bindingRequest else {
                return metrics.stunDropped(IceLiteStateMachine.DropReason.notABindingRequest.rawValue)
            }
            guard let fragments = message.iceUsernameFragments, let transport = router.transport(ufrag: fragments.receiver)
            else { return metrics.stunDropped(IceLiteStateMachine.DropReason.unknownUfrag.rawValue) }
            transport.receiveBindingRequest(message, from: .tcp(connection))
        case .dtls, .rtp, .rtcp:
            guard let transport = connection.transport else { return metrics.datagramDropped("unbound-tcp") }
            transport.receive(frame, kind: kind, from: .tcp(connection))
        default:
            metrics.datagramDropped("unknown-kind")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        metrics.datagramDropped("tcp-error")
        context.close(promise: nil)
    }
}
