import NIOCore
import StreamLySFUNative

/// The sending end of one relay link: protects RTP/RTCP with the link's outbound SRTP session
/// in one reused buffer behind the relay header and hands it to the relay socket. Lives on the
/// call's loop. Counts in plain integers, flushed by the link once a second.
final class RelaySender {
    let server: RelayServer
    let peer: SocketAddress
    var peerLinkID: UInt32 = 0
    var srtp: SRTPSession?
    private var scratch = ByteBuffer()
    /// The relay socket, read from the server on first use and kept (the socket lives as long as
    /// the edge; after shutdown writes to it fail without harm).
    private var channel: (any Channel)?
    var packets = 0
    var bytes = 0

    init(server: RelayServer, peer: SocketAddress) {
        self.server = server
        self.peer = peer
        scratch.reserveCapacity(1600)
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
        write(scratch)
    }

    /// A datagram already framed (hello, ack, state).
    func sendFramed(_ datagram: ByteBuffer) {
        write(datagram)
    }

    private func write(_ datagram: ByteBuffer) {
        if channel == nil { channel = server.channel }
        channel?.writeAndFlush(AddressedEnvelope(remoteAddress: peer, data: datagram), promise: nil)
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
