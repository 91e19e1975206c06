import NIOCore
import StreamLySFUNative

/// Datagrams from the socket: STUN checks (ICE-lite), DTLS records, SRTP and SRTCP.
extension WebRTCTransport {
    /// A Binding request whose USERNAME names this transport's ufrag (called on any loop).
    func receiveBindingRequest(_ request: StunMessage, from address: MediaPath) {
        if eventLoop.inEventLoop {
            handleBindingRequest(request, from: address)
        } else {
            eventLoop.execute { self.handleBindingRequest(request, from: address) }
        }
    }

    /// A DTLS, RTP or RTCP datagram from an address bound to this transport (called on any loop).
    func receive(_ datagram: ByteBuffer, kind: DatagramKind, from address: MediaPath) {
        if eventLoop.inEventLoop {
            handle(datagram, kind: kind, from: address)
        } else {
            eventLoop.execute { self.handle(datagram, kind: kind, from: address) }
        }
    }

    /// An ICE-TCP connection of this transport closed (called on any loop).
    func pathClosed(_ path: MediaPath) {
        if eventLoop.inEventLoop {
            forget(path)
        } else {
            eventLoop.execute { self.forget(path) }
        }
    }

    private func forget(_ path: MediaPath) {
        paths.removeAll { $0 == path }
        if selected == path { selected = nil }
        if dtlsPeer == path { dtlsPeer = nil }
    }

    /// Takes a token from the check budget; false when the peer (or someone using its ufrag)
    /// sends checks faster than `stunChecksPerSecond`.
    private func takeStunToken(now: NIODeadline) -> Bool {
        let rate = Double(server.configuration.stunChecksPerSecond)
        let elapsed = Double((now - stunTokensRefilled).nanoseconds) / 1e9
        stunTokens = min(2 * rate, stunTokens + elapsed * rate)
        stunTokensRefilled = now
        guard stunTokens >= 1 else { return false }
        stunTokens -= 1
        return true
    }

    private func handleBindingRequest(_ request: StunMessage, from address: MediaPath) {
        let now = NIODeadline.now()
        guard takeStunToken(now: now) else { return server.metrics.stunDropped("rate-limited") }
        guard let remoteAddress = address.remoteAddress.flatMap(TransportAddress.init) else { return }
        let local = address.transportProtocol == .tcp ? server.localTCPAddress : server.localAddress
        let tuple = FiveTuple(local: local, remote: remoteAddress, transport: address.transportProtocol)
        switch ice.bindingRequest(request, on: tuple, now: now) {
        case .respond(let response, _):
            guard bind(address) else { return }
            server.metrics.stunResponses.increment()
            send(response, to: address)
        case .respondAndSelect(let response, _):
            guard bind(address) else { return }
            let first = selected == nil
            selected = address
            server.metrics.stunResponses.increment()
            send(response, to: address)
            if first, phase == .started, dtls?.context.role == .client { beginClientHandshake() }
        case .respondWithError(let response, _, _):
            send(response, to: address)
        case .drop(let reason):
            server.metrics.stunDropped(reason.rawValue)
        }
    }

    /// Binds `address` to this transport in the router (before the response goes out, so the
    /// peer's next datagram finds it). False when the transport has too many paths.
    private func bind(_ address: MediaPath) -> Bool {
        if paths.contains(address) { return true }
        guard paths.count < server.configuration.maximumAddressesPerTransport else {
            server.metrics.stunDropped("too-many-addresses")
            return false
        }
        paths.append(address)
        server.bind(address, to: self)
        return true
    }

    /// A DTLS, RTP or RTCP datagram from an address bound to this transport, on its loop.
    func handle(_ datagram: ByteBuffer, kind: DatagramKind, from address: MediaPath) {
        eventLoop.assertInEventLoop()
        switch kind {
        case .rtp:
            guard let inboundSRTP else { return server.metrics.datagramDropped("media-before-connected") }
            // The datagram is a slice of the socket's shared receive buffer: decrypting it in
            // place would copy it into a fresh allocation. Copy it into this transport's
            // reused buffer instead (no allocation unless the delegate kept the last one).
            inbound.clear()
            inbound.writeImmutableBuffer(datagram)
            do {
                try inboundSRTP.unprotectRTP(&inbound)
            } catch {
                return server.metrics.srtpInFailures.increment()
            }
            server.metrics.packetsInRTP.increment()
            delegate?.transport(self, didReceiveRTP: inbound)
        case .rtcp:
            guard let inboundSRTP else { return server.metrics.datagramDropped("media-before-connected") }
            inbound.clear()
            inbound.writeImmutableBuffer(datagram)
            do {
                try inboundSRTP.unprotectRTCP(&inbound)
            } catch {
                return server.metrics.srtpInFailures.increment()
            }
            server.metrics.packetsInRTCP.increment()
            delegate?.transport(self, didReceiveRTCP: inbound)
        case .dtls:
            receiveDTLS(datagram, from: address)
        default:
            server.metrics.datagramDropped("unknown-kind")
        }
    }

    func receiveDTLS(_ datagram: ByteBuffer, from address: MediaPath?) {
        switch phase {
        case .new:
            guard earlyDTLS.count < server.configuration.maximumEarlyDTLSDatagrams else {
                return server.metrics.datagramDropped("early-dtls-overflow")
            }
            dtlsPeer = address ?? dtlsPeer
            earlyDTLS.append(datagram)
            return
        case .closed:
            return
        case .started, .connected:
            break
        }
        guard let dtls else { return }
        if let address { dtlsPeer = address }
        do {
            let replies = try dtls.receive(Array(datagram.readableBytesView))
            sendDTLS(replies)
            while dtls.readApplicationData() != nil {}  // no data channels: SCTP is dropped
            if phase == .started, dtls.isHandshakeComplete {
                try completeHandshake()
            } else if phase == .started {
                armDTLSTimer()
            }
            if dtls.isClosedByPeer { fail(.closedByPeer) }
        } catch {
            fail(.dtlsFailed("\(error)"))
        }
    }

    /// DTLS client role (the peer answered `a=setup:passive`): send the ClientHello on the
    /// nominated address.
    func beginClientHandshake() {
        guard let dtls else { return }
        do {
            sendDTLS(try dtls.start())
            armDTLSTimer()
        } catch {
            fail(.dtlsFailed("\(error)"))
        }
    }

    /// The handshake finished: check the peer's certificate against its SDP fingerprints
    /// (RFC 8122 §5, RFC 5763 §5), export the SRTP keys (RFC 5764 §4.2), report connected.
    private func completeHandshake() throws {
        guard let dtls, let remote else { return }
        cancelDTLSTimers()
        let expected = remote.fingerprints.filter { $0.hashFunction == Self.fingerprintAlgorithm }
        guard let actual = try dtls.peerCertificateFingerprint(),
              expected.contains(where: { $0.value.uppercased() == actual.uppercased() })
        else { return fail(.fingerprintMismatch) }
        let keys = try dtls.srtpKeyingMaterial()
        inboundSRTP = try SRTPSession(profile: keys.profile, masterKey: keys.remoteMasterKey, direction: .inbound)
        outboundSRTP = try SRTPSession(profile: keys.profile, masterKey: keys.localMasterKey, direction: .outbound)
        phase = .connected
        server.metrics.transportsConnected.increment()
        delegate?.transportDidConnect(self)
    }
}
