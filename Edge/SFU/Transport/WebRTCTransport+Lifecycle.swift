import NIOCore
import StreamLySFUNative

/// Sending, timers (consent freshness, DTLS retransmission) and teardown.
extension WebRTCTransport {
    /// Queues `datagram` on the UDP socket through this loop's outbox (one `sendmmsg` per loop
    /// tick); or writes it as a frame on its TCP connection.
    func send(_ datagram: ByteBuffer, to path: MediaPath) {
        server.metrics.bytesOut.increment(by: datagram.readableBytes)
        switch path {
        case .udp(let remote):
            outbox?.send(datagram, to: remote)
        case .tcp(let connection):
            connection.channel.writeAndFlush(datagram, promise: nil)
        }
    }

    /// `send(_:to:)`, but over UDP `datagram` is swapped for a spare buffer of the outbox
    /// (no copy, no allocation per packet).
    func send(swapping datagram: inout ByteBuffer, to path: MediaPath) {
        guard case .udp(let remote) = path, let outbox else { return send(datagram, to: path) }
        server.metrics.bytesOut.increment(by: datagram.readableBytes)
        outbox.send(swapping: &datagram, to: remote)
    }

    func sendDTLS(_ datagrams: [[UInt8]]) {
        guard let peer = dtlsPeer ?? selected, !datagrams.isEmpty else { return }
        for datagram in datagrams {
            send(ByteBuffer(bytes: datagram), to: peer)
        }
    }

    /// Starts the consent timer at the ICE machine's deadline (RFC 7675 §5.1).
    func armConsentTimer() {
        consentTimer?.cancel()
        guard let deadline = ice.consentDeadline else { return }
        consentTimer = eventLoop.scheduleTask(deadline: deadline) { [self] in
            switch ice.consentCheck(now: .now()) {
            case .expired: fail(.consentExpired)
            case .none: armConsentTimer()
            }
        }
    }

    /// Schedules OpenSSL's DTLS retransmission timer (RFC 6347 §4.2.4).
    func armDTLSTimer() {
        dtlsTimer?.cancel()
        dtlsTimer = nil
        guard let dtls, !dtls.isHandshakeComplete, let timeout = dtls.retransmissionTimeout else { return }
        let (seconds, attoseconds) = timeout.components
        let delay = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        dtlsTimer = eventLoop.scheduleTask(in: max(delay, .milliseconds(1))) { [self] in
            guard phase == .started, let dtls = self.dtls else { return }
            do {
                sendDTLS(try dtls.handleTimeout())
                armDTLSTimer()
            } catch {
                fail(.dtlsFailed("\(error)"))
            }
        }
    }

    func cancelDTLSTimers() {
        dtlsTimer?.cancel()
        dtlsTimer = nil
        handshakeTimer?.cancel()
        handshakeTimer = nil
    }

    /// Closes with `reason` and tells the delegate.
    func fail(_ reason: TransportCloseReason) {
        guard phase != .closed else { return }
        teardown(reason)
        delegate?.transport(self, didClose: reason)
    }

    func teardown(_ reason: TransportCloseReason) {
        guard phase != .closed else { return }
        phase = .closed
        ice.close()
        consentTimer?.cancel()
        consentTimer = nil
        cancelDTLSTimers()
        inboundSRTP = nil
        outboundSRTP = nil
        earlyDTLS = []
        server.transportClosed(self, paths: paths, reason: reason)
        paths = []
        selected = nil
        dtlsPeer = nil
    }
}
