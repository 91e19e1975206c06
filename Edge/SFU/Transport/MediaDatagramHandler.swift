import NIOCore

/// The inbound end of the media socket: classifies each datagram (RFC 7983 §7, RFC 5761 §4)
/// and hands it to its transport, STUN by the USERNAME's ufrag, the rest by source address.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let router: MediaRouter
    private let metrics: MediaServerMetrics

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
            transport.receive(envelope.data, kind: kind, from: .udp(envelope.remoteAddress))
        default:
            metrics.datagramDropped("unknown-kind")
        }
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
