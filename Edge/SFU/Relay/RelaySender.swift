import NIOCore
import StreamLySFUNative

/// The sending end of one relay link: protects RTP/RTCP with the link's outbound SRTP session
/// behind the relay header and hands it to the relay socket through the call loop's outbox (a
/// tick's datagrams leave in one flush; the buffer is swapped for a recycled one). Lives on the
/// call's loop. Counts in plain integers, flushed by the link once a second.
final class RelaySender {
    let server: RelayServer
    let peer: SocketAddress
    let eventLoop: any EventLoop
    var peerLinkID: UInt32 = 0
    var srtp: SRTPSession?
    private var scratch = ByteBuffer()
    /// The call loop's outbox of the relay socket, read from the server on first use and kept
    /// (the socket lives as long as the edge; after shutdown writes to it fail without harm).
    private var outbox: DatagramOutbox?
    var packets = 0
    var bytes = 0

    init(server: RelayServer, peer: SocketAddress, eventLoop: any EventLoop) {
        self.server = server
        self.peer = peer
        self.eventLoop = eventLoop
        scratch.reserveCapacity(RelayServer.sendBufferCapacity)
    }

    func sendRTP(_ packet: ByteBuffer) {
        send(packet, kind: .srtp)
    }

    func sendRTCP(_ packet: ByteBuffer) {
        send(packet, kind: .srtcp)
    }

    private func send(_ packet: ByteBuffer, kind: RelayDatagram.Kind) {
        guard let srtp else { return }
        scratch.clear()
        RelayDatagram(kind: kind, linkID: peerLinkID).write(to: &scratch)
        scratch.writeImmutableBuffer(packet)
        scratch.moveReaderIndex(forwardBy: RelayDatagram.headerLength)
        do {
            if kind == .srtp { try srtp.protectRTP(&scratch) } else { try srtp.protectRTCP(&scratch) }
        } catch {
            return
        }
        scratch.moveReaderIndex(to: 0)
        packets &+= 1
        bytes &+= scratch.readableBytes
        if outbox == nil { outbox = server.outbox(for: eventLoop) }
        outbox?.send(swapping: &scratch, to: peer)
    }

    /// A datagram already framed (hello, ack, state).
    func sendFramed(_ datagram: ByteBuffer) {
        if outbox == nil { outbox = server.outbox(for: eventLoop) }
        outbox?.send(datagram, to: peer)
    }
}

/// One local track as one relay link carries it: which layers the peer edge needs (bit n:
/// layer n). Held by the producer, which calls `forward` for every packet of those layers.
final class RelayTap {
    let sender: RelaySender
    var layers: UInt8 = 0

    init(sender: RelaySender) {
        self.sender = sender
    }

    @inline(__always)
    func forward(_ packet: ByteBuffer) {
        sender.sendRTP(packet)
    }
}
