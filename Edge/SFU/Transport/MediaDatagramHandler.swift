import NIOCore

/// The inbound end of the media socket: classifies each datagram (RFC 7983 §7, RFC 5761 §4)
/// and hands it to its transport, STUN by the USERNAME's ufrag, the rest by source address.
/// Datagrams for transports on another loop are handed over once per read batch
/// (`channelReadComplete`), one task per loop, not one per datagram.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// Datagrams of this read batch for the transports of one other loop.
    private struct Handover {
        let eventLoop: any EventLoop
        var datagrams: [(transport: WebRTCTransport, datagram: AddressedEnvelope<ByteBuffer>, kind: DatagramKind)]
    }

    private let router: MediaRouter
    private let metrics: MediaServerMetrics
    /// One entry per loop that got datagrams in this read batch (a handful of loops at most).
    private var handovers: [Handover] = []

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
                handOver(envelope, kind: kind, to: transport)
            }
        default:
            metrics.datagramDropped("unknown-kind")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        for index in handovers.indices where !handovers[index].datagrams.isEmpty {
            let batch = handovers[index].datagrams
            handovers[index].datagrams.removeAll(keepingCapacity: true)
            handovers[index].eventLoop.execute {
                for item in batch {
                    item.transport.handle(item.datagram.data, kind: item.kind, from: .udp(item.datagram.remoteAddress))
                }
            }
        }
        context.fireChannelReadComplete()
    }

    private func handOver(_ envelope: AddressedEnvelope<ByteBuffer>, kind: DatagramKind, to transport: WebRTCTransport) {
        let loop = transport.eventLoop
        if let index = handovers.firstIndex(where: { $0.eventLoop === loop }) {
            handovers[index].datagrams.append((transport, envelope, kind))
        } else {
            handovers.append(Handover(eventLoop: loop, datagrams: [(transport, envelope, kind)]))
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
