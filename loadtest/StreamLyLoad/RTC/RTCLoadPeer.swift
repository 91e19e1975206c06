import NIOCore
import NIOPosix
import StreamLySFU
import StreamLySFUNative

/// One synthetic WebRTC peer of `rtc-transport`, event-driven on its channel's loop: a STUN
/// check with USE-CANDIDATE (ICE-lite edge), the DTLS client handshake, then SRTP packets at a
/// fixed rate, each carrying its send time; the edge's echo is unprotected and its round-trip
/// time recorded.
final class RTCLoadPeer: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    enum Phase { case checking, handshaking, media }

    let server: SocketAddress
    let remote: LocalTransportParameters
    let local = IceCredentials(ufrag: "load", password: "load-peer-password-0123456")
    let dtls: DTLSSession
    let ready: EventLoopPromise<Void>
    let ssrc: UInt32
    let payloadBytes: Int
    var phase = Phase.checking
    var outbound: SRTPSession?
    var inbound: SRTPSession?
    var sequenceNumber: UInt16 = 0
    var packet = ByteBuffer()
    var window: MeasurementWindow?
    private(set) var sent = 0
    private(set) var received = 0
    private(set) var latencies = LatencyRecorder()
    private var context: ChannelHandlerContext?

    init(server: SocketAddress, remote: LocalTransportParameters, certificate: SelfSignedCertificate,
         ssrc: UInt32, payloadBytes: Int, ready: EventLoopPromise<Void>) throws {
        self.server = server
        self.remote = remote
        self.dtls = try DTLSSession(context: DTLSContext(role: .client, certificate: certificate))
        self.ssrc = ssrc
        self.payloadBytes = payloadBytes
        self.ready = ready
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        var random = SystemRandomNumberGenerator()
        let request = StunMessage(type: .bindingRequest, transactionID: .random(using: &random), attributes: [
            .username("\(remote.ice.ufrag):\(local.ufrag)"), .iceControlling(1), .priority(1_853_817_087),
            .useCandidate,
        ])
        send(request.serialize(integrityKey: remote.ice.integrityKey, fingerprint: true), context: context)
        context.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data).data
        do {
            switch phase {
            case .checking:
                guard (try? StunMessage.parse(datagram))?.type == .bindingSuccess else { return }
                phase = .handshaking
                try sendDTLS(dtls.start(), context: context)
            case .handshaking:
                try sendDTLS(dtls.receive(Array(datagram.readableBytesView)), context: context)
                if dtls.isHandshakeComplete {
                    let keys = try dtls.srtpKeyingMaterial()
                    outbound = try SRTPSession(profile: keys.profile, masterKey: keys.localMasterKey, direction: .outbound)
                    inbound = try SRTPSession(profile: keys.profile, masterKey: keys.remoteMasterKey, direction: .inbound)
                    phase = .media
                    ready.succeed()
                }
            case .media:
                guard DatagramKind.classify(datagram) == .rtp, let inbound else { return }
                var bytes = Array(datagram.readableBytesView)
                try inbound.unprotectRTP(&bytes)
                guard bytes.count >= 20 else { return }
                let sentAt = bytes[12..<20].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                // Counted by send time, like `sent`, so both cover the same packets.
                if window?.contains(sentAt) ?? false {
                    received += 1
                    latencies.record(nanoseconds: nowNanos() &- sentAt)
                }
            }
        } catch {
            ready.fail(error)
        }
    }

    /// Sends `count` RTP packets (12-byte header, 8-byte send time, filler), then flushes.
    func sendBurst(_ count: Int) {
        guard phase == .media, let context, let outbound else { return }
        for _ in 0..<count {
            sequenceNumber &+= 1
            let now = nowNanos()
            packet.clear()
            packet.writeInteger(UInt8(0x80))
            packet.writeInteger(UInt8(96))
            packet.writeInteger(sequenceNumber)
            packet.writeInteger(UInt32(truncatingIfNeeded: now / 11_111))
            packet.writeInteger(ssrc)
            packet.writeInteger(now)
            packet.writeRepeatingByte(0xAB, count: max(0, payloadBytes - 8))
            var bytes = Array(packet.readableBytesView)
            guard (try? outbound.protectRTP(&bytes)) != nil else { continue }
            if window?.contains(now) ?? false { sent += 1 }
            send(ByteBuffer(bytes: bytes), context: context)
        }
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ready.fail(error)
    }

    private func sendDTLS(_ datagrams: [[UInt8]], context: ChannelHandlerContext) {
        for datagram in datagrams { send(ByteBuffer(bytes: datagram), context: context) }
        context.flush()
    }

    private func send(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: bytes)), promise: nil)
    }
}

/// The edge side of the benchmark: echoes each RTP packet on another SSRC, through a reused
/// buffer, as a consumer would forward it.
final class RTCEchoDelegate: WebRTCTransportDelegate {
    private var buffer = ByteBuffer()
    private let ssrc: UInt32

    init(ssrc: UInt32) {
        self.ssrc = ssrc
        buffer.reserveCapacity(2048)
    }

    func transportDidConnect(_ transport: WebRTCTransport) {}

    func transport(_ transport: WebRTCTransport, didReceiveRTP packet: ByteBuffer) {
        buffer.clear()
        buffer.writeImmutableBuffer(packet)
        guard let sequence = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self),
              let timestamp = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self),
              RTPPacket.rewrite(&buffer, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc)
        else { return }
        transport.sendRTP(&buffer)
    }

    func transport(_ transport: WebRTCTransport, didReceiveRTCP packet: ByteBuffer) {}
    func transport(_ transport: WebRTCTransport, didClose reason: TransportCloseReason) {}
}
