import NIOCore

/// The inbound end of the media socket: classifies each datagram (RFC 7983 §7, RFC 5761 §4)
/// and hands it to its transport, STUN by the USERNAME's ufrag, the rest by source address.
/// Datagrams for transports on another loop are handed over once per read batch
/// (`channelReadComplete`), one task per loop, not one per datagram.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let router: MediaRouter
    private let metrics: MediaServerMetrics
    /// This read batch's datagrams for transports on other loops.
    private var handover = LoopHandover<(transport: WebRTCTransport, datagram: AddressedEnvelope<ByteBuffer>, kind: DatagramKind)>()

    init(router: MediaRouter, metrics: MediaServerMetrics) {
        self.router = router
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        metrics.bytesIn.increment(by: envelope.data.readableBytes)
        let kind = DatagramKind.classify(envelope.data)
        switch kind {
        case .stun:
            routeSTUN(envelope)
        case .dtls, .rtp, .rtcp:
            guard let transport = router.transport(address: envelope.remoteAddress) else {
                metrics.datagramDropped("unknown-address")
                return
            }
            if transport.eventLoop.inEventLoop {
                transport.handle(envelope.data, kind: kind, from: .udp(envelope.remoteAddress))
            } else {
                handover.append((transport, envelope, kind), for: transport.eventLoop)
            }
        default:
            metrics.datagramDropped("unknown-kind")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handover.deliver { item in
            item.transport.handle(item.datagram.data, kind: item.kind, from: .udp(item.datagram.remoteAddress))
        }
        context.fireChannelReadComplete()
    }

    private func routeSTUN(_ envelope: AddressedEnvelope<ByteBuffer>) {
        let message: StunMessage
        do {
            message = try StunMessage.parse(envelope.data)
        } catch {
            metrics.stunDropped("malformed")
            return
        }
        guard message.type == .bindingRequest else {
            metrics.stunDropped(IceLiteStateMachine.DropReason.notABindingRequest.rawValue)
            return
        }
        guard let fragments = message.iceUsernameFragments,
              let transport = router.transport(ufrag: fragments.receiver)
        else {
            metrics.stunDropped(IceLiteStateMachine.DropReason.unknownUfrag.rawValue)
            return
        }
        transport.receiveBindingRequest(message, from: .udp(envelope.remoteAddress))
    }
}
