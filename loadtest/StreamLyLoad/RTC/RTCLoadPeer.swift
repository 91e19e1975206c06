import NIOCore
import NIOPosix
import StreamLySFU
import StreamLySFUNative

/// What a load peer does once DTLS-SRTP is up: it gets every unprotected RTP and RTCP packet
/// (in place, on the peer's loop) and sends through `RTCLoadPeer.sendRTP`/`sendRTCP`.
protocol RTCLoadMedia: AnyObject {
    func peer(_ peer: RTCLoadPeer<Self>, didReceiveRTP packet: ByteBuffer, now: UInt64)
    func peer(_ peer: RTCLoadPeer<Self>, didReceiveRTCP packet: ByteBuffer, now: UInt64)
}

/// One synthetic WebRTC peer connection of the `rtc` and `rtc-transport` benchmarks,
/// event-driven on its channel's loop: the controlling ICE agent against an ICE-lite server
/// (a STUN check with USE-CANDIDATE, repeated until answered, then every 5 s for consent
/// freshness, RFC 7675; the server's own checks are answered, as libnice's lite agent sends
/// them), the DTLS handshake (client or server, OpenSSL through
/// `StreamLySFUNative`), then SRTP both ways (libsrtp, in place on the `ByteBuffer`s).
final class RTCLoadPeer<Media: RTCLoadMedia>: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    enum Phase { case checking, handshaking, media }

    let server: SocketAddress
    let remote: IceCredentials
    let local: IceCredentials
    let dtls: DTLSSession
    let ready: EventLoopPromise<Void>
    let media: Media
    var phase = Phase.checking
    private var outbound: SRTPSession?
    private var inbound: SRTPSession?
    private var context: ChannelHandlerContext?
    private var checkTimer: RepeatedTask?
    private var dtlsTimer: Scheduled<Void>?
    private(set) var unprotectFailures = 0

    /// - Parameters:
    ///   - server: the remote's media address (its candidate).
    ///   - remote: the remote's `ice-ufrag`/`ice-pwd`.
    ///   - local: ours, as our SDP carries them.
    ///   - role: `.client` when the remote answered `a=setup:passive` (or offered `actpass` and
    ///     we answer `active`), `.server` when it is the DTLS client.
    init(server: SocketAddress, remote: IceCredentials, local: IceCredentials, role: DTLSContext.Role,
         certificate: SelfSignedCertificate, media: Media, ready: EventLoopPromise<Void>) throws {
        self.server = server
        self.remote = remote
        self.local = local
        self.dtls = try DTLSSession(context: DTLSContext(role: role, certificate: certificate))
        self.media = media
        self.ready = ready
    }

    /// Added to a bound socket (whose address our SDP carries): starts checking at once.
    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard self.context == nil else { return }
        self.context = context
        sendCheck(context: context)
        checkTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) {
            [self] task in
            guard let context = self.context else { return task.cancel() }
            // Until answered every 250 ms; then every 5 s (consent freshness).
            if phase == .checking || Int(nowNanos() / 250_000_000) % 20 == 0 { sendCheck(context: context) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        checkTimer?.cancel()
        dtlsTimer?.cancel()
        self.context = nil
        ready.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var datagram = envelope.data
        do {
            switch DatagramKind.classify(datagram) {
            case .stun:
                guard let message = try? StunMessage.parse(datagram) else { return }
                if message.type == .bindingRequest {
                    answerCheck(message, from: envelope.remoteAddress, context: context)
                    return
                }
                guard phase == .checking, message.type == .bindingSuccess else { return }
                phase = .handshaking
                // A client sends its ClientHello; a server only enters the accept state.
                try sendDTLS(dtls.start(), context: context)
                if dtls.context.role == .client { scheduleDTLSTimer(context: context) }
            case .dtls:
                guard phase != .checking || dtls.context.role == .server else { return }
                if phase == .checking {
                    // The server's answer to our check was lost or overtaken: its ClientHello says ICE is up.
                    phase = .handshaking
                    try sendDTLS(dtls.start(), context: context)
                }
                try sendDTLS(dtls.receive(Array(datagram.readableBytesView)), context: context)
                if phase == .handshaking, dtls.isHandshakeComplete {
                    let keys = try dtls.srtpKeyingMaterial()
                    outbound = try SRTPSession(profile: keys.profile, masterKey: keys.localMasterKey, direction: .outbound)
                    inbound = try SRTPSession(profile: keys.profile, masterKey: keys.remoteMasterKey, direction: .inbound)
                    phase = .media
                    dtlsTimer?.cancel()
                    ready.succeed()
                } else if phase == .handshaking {
                    scheduleDTLSTimer(context: context)
                }
            case .rtp:
                guard let inbound else { return }
                do { try inbound.unprotectRTP(&datagram) } catch { unprotectFailures += 1; return }
                media.peer(self, didReceiveRTP: datagram, now: nowNanos())
            case .rtcp:
                guard let inbound else { return }
                do { try inbound.unprotectRTCP(&datagram) } catch { unprotectFailures += 1; return }
                media.peer(self, didReceiveRTCP: datagram, now: nowNanos())
            default:
                return
            }
        } catch {
            ready.fail(error)
        }
    }

    /// Protects `packet` in place and writes it (flushed by `flush()` or the next flush).
    func sendRTP(_ packet: inout ByteBuffer) {
        guard let context, let outbound, (try? outbound.protectRTP(&packet)) != nil else { return }
        send(packet, context: context)
    }

    func sendRTCP(_ packet: inout ByteBuffer) {
        guard let context, let outbound, (try? outbound.protectRTCP(&packet)) != nil else { return }
        send(packet, context: context)
    }

    func flush() { context?.flush() }

    var isConnected: Bool { phase == .media && context != nil }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ready.fail(error)
    }

    /// Answers the server's own check (a full or libnice-lite agent checks back, RFC 8445 §7.3):
    /// success with XOR-MAPPED-ADDRESS, signed with our password.
    private func answerCheck(_ request: StunMessage, from source: SocketAddress, context: ChannelHandlerContext) {
        guard let text = source.ipAddress, let port = source.port else { return }
        let octets = text.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return }
        let address = TransportAddress(ip: IPAddress(octets[0], octets[1], octets[2], octets[3]), port: UInt16(port))
        let response = StunMessage(type: .bindingSuccess, transactionID: request.transactionID, attributes: [
            .xorMappedAddress(address, transactionID: request.transactionID),
        ])
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(
            remoteAddress: source, data: response.serialize(integrityKey: local.integrityKey, fingerprint: true))), promise: nil)
    }

    private func sendCheck(context: ChannelHandlerContext) {
        var random = SystemRandomNumberGenerator()
        let request = StunMessage(type: .bindingRequest, transactionID: .random(using: &random), attributes: [
            .username("\(remote.ufrag):\(local.ufrag)"), .iceControlling(1), .priority(1_853_817_087), .useCandidate,
        ])
        send(request.serialize(integrityKey: remote.integrityKey, fingerprint: true), context: context)
        context.flush()
    }

    /// OpenSSL's retransmission timer while handshaking (a lost flight on a loaded machine).
    private func scheduleDTLSTimer(context: ChannelHandlerContext) {
        dtlsTimer?.cancel()
        guard let timeout = dtls.retransmissionTimeout else { return }
        let nanoseconds = max(timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000, 1_000_000)
        dtlsTimer = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
            guard phase == .handshaking, let context = self.context else { return }
            if let datagrams = try? dtls.handleTimeout() { sendDTLS(datagrams, context: context) }
            scheduleDTLSTimer(context: context)
        }
    }

    private func sendDTLS(_ datagrams: [[UInt8]], context: ChannelHandlerContext) {
        for datagram in datagrams { send(ByteBuffer(bytes: datagram), context: context) }
        context.flush()
    }

    private func send(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: server, data: bytes)), promise: nil)
    }
}

/// The `rtc-transport` peer's media: RTP packets at a fixed rate, each carrying its send time;
/// the edge's echo is timed.
final class RTCEchoMedia: RTCLoadMedia {
    let ssrc: UInt32
    let payloadBytes: Int
    var sequenceNumber: UInt16 = 0
    var window: MeasurementWindow?
    private(set) var sent = 0
    private(set) var received = 0
    private(set) var latencies = LatencyRecorder()

    init(ssrc: UInt32, payloadBytes: Int) {
        self.ssrc = ssrc
        self.payloadBytes = payloadBytes
    }

    func peer(_ peer: RTCLoadPeer<RTCEchoMedia>, didReceiveRTP packet: ByteBuffer, now: UInt64) {
        guard let sentAt = packet.getInteger(at: packet.readerIndex + 12, as: UInt64.self) else { return }
        // Counted by send time, like `sent`, so both cover the same packets.
        if window?.contains(sentAt) ?? false {
            received += 1
            latencies.record(nanoseconds: now &- sentAt)
        }
    }

    func peer(_ peer: RTCLoadPeer<RTCEchoMedia>, didReceiveRTCP packet: ByteBuffer, now: UInt64) {}

    /// Sends `count` RTP packets (12-byte header, 8-byte send time, filler), then flushes.
    func sendBurst(_ count: Int, through peer: RTCLoadPeer<RTCEchoMedia>) {
        guard peer.isConnected else { return }
        for _ in 0..<count {
            sequenceNumber &+= 1
            let now = nowNanos()
            var packet = ByteBuffer()
            packet.reserveCapacity(payloadBytes + 12 + SRTPSession.maximumTrailerLength)
            packet.writeInteger(UInt8(0x80))
            packet.writeInteger(UInt8(96))
            packet.writeInteger(sequenceNumber)
            packet.writeInteger(UInt32(truncatingIfNeeded: now / 11_111))
            packet.writeInteger(ssrc)
            packet.writeInteger(now)
            packet.writeRepeatingByte(0xAB, count: max(0, payloadBytes - 8))
            if window?.contains(now) ?? false { sent += 1 }
            peer.sendRTP(&packet)
        }
        peer.flush()
    }
}

/// The edge side of `rtc-transport`: echoes each RTP packet on another SSRC, through a reused
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
