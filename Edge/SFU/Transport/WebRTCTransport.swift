import NIOCore
import StreamLySFUNative

/// One participant's peer connection on the edge's shared media port: ICE-lite (RFC 8445
/// §2.5) answering the peer's checks, DTLS 1.2 with `use_srtp` (RFC 5764) and SRTP/SRTCP
/// (RFC 3711) once the peer's certificate matched its SDP fingerprint (RFC 8122 §5).
///
/// Lives on one event loop (the call's): every method must be called on `eventLoop`, and
/// every delegate callback arrives there. Datagrams from the `MediaServer`'s socket hop to
/// that loop when it is another one. No lock: the state below is only touched on `eventLoop`.
// @unchecked Sendable: the mutable state is confined to `eventLoop` (methods assert it); the
// reference crosses loops only to schedule work on `eventLoop` (from the socket's loop).
public final class WebRTCTransport: @unchecked Sendable {
    public let id: TransportID
    public let eventLoop: any EventLoop
    /// What the edge's SDP says about this transport (ICE credentials, fingerprint, candidates).
    public let local: LocalTransportParameters
    public weak var delegate: (any WebRTCTransportDelegate)?

    enum Phase: Hashable {
        /// Created: answers ICE checks, keeps early DTLS datagrams, waits for `start(remote:)`.
        case new
        /// Remote parameters known: DTLS handshaking.
        case started
        /// DTLS done, fingerprint checked, SRTP sessions ready.
        case connected
        case closed
    }

    let server: MediaServer
    /// Where UDP datagrams go: this loop's outbox of the media socket (nil before the server
    /// started).
    let outbox: DatagramOutbox?
    var phase: Phase = .new
    var ice: IceLiteStateMachine
    var remote: RemoteTransportParameters?
    var dtls: DTLSSession?
    /// Where DTLS replies go: the source of the last DTLS datagram, else the selected path.
    var dtlsPeer: MediaPath?
    var inboundSRTP: SRTPSession?
    var outboundSRTP: SRTPSession?
    /// The path the peer nominated (USE-CANDIDATE): media goes there.
    var selected: MediaPath?
    /// Paths bound to this transport in the server's router (authenticated checks).
    var paths: [MediaPath] = []
    var earlyDTLS: [ByteBuffer] = []
    var consentTimer: Scheduled<Void>?
    var dtlsTimer: Scheduled<Void>?
    var handshakeTimer: Scheduled<Void>?
    /// STUN checks this transport may still answer now (token bucket, `stunChecksPerSecond`).
    var stunTokens: Double
    var stunTokensRefilled = NIODeadline.now()
    /// Where received SRTP/SRTCP is decrypted, reused for every packet.
    var inbound = ByteBuffer()

    init(id: TransportID, eventLoop: any EventLoop, local: LocalTransportParameters, server: MediaServer,
         outbox: DatagramOutbox?) {
        self.id = id
        self.eventLoop = eventLoop
        self.local = local
        self.server = server
        self.outbox = outbox
        self.inbound = ByteBufferAllocator().buffer(capacity: server.configuration.maximumDatagramSize)
        self.stunTokens = Double(2 * server.configuration.stunChecksPerSecond)
        self.ice = IceLiteStateMachine(local: local.ice, remoteUfrag: nil, configuration: server.configuration.ice,
                                       now: .now())
    }

    /// Whether DTLS completed and media can flow.
    public var isConnected: Bool { phase == .connected }

    /// The SRTP profile negotiated by DTLS, once connected.
    public var srtpProfile: SRTPProfile? { outboundSRTP?.profile }

    /// The peer's remote parameters arrived (its offer or answer): checks its ufrag from now
    /// on, and takes the DTLS role its `a=setup` leaves (the edge serves unless the peer is
    /// `passive`). Invalid parameters close the transport with `.invalidRemoteParameters`.
    public func start(remote: RemoteTransportParameters) {
        eventLoop.assertInEventLoop()
        guard phase == .new else { return }
        guard !remote.ufrag.isEmpty, !remote.password.isEmpty else {
            return fail(.invalidRemoteParameters("missing ICE ufrag or password"))
        }
        guard remote.fingerprints.contains(where: { $0.hashFunction == Self.fingerprintAlgorithm }) else {
            return fail(.invalidRemoteParameters("no \(Self.fingerprintAlgorithm) fingerprint"))
        }
        guard remote.setup != .holdconn else { return fail(.invalidRemoteParameters("a=setup:holdconn")) }
        self.remote = remote
        ice.setRemoteUfrag(remote.ufrag)
        let context = remote.setup == .passive ? server.clientContext : server.serverContext
        do {
            dtls = try DTLSSession(context: context, mtu: server.configuration.dtlsMTU)
        } catch {
            return fail(.dtlsFailed("\(error)"))
        }
        phase = .started
        let timeout = server.configuration.dtlsHandshakeTimeout
        handshakeTimer = eventLoop.scheduleTask(in: timeout) { [self] in
            if phase == .started { fail(.dtlsFailed("no DTLS handshake within \(timeout)")) }
        }
        if context.role == .client, selected != nil { beginClientHandshake() }
        let early = earlyDTLS
        earlyDTLS = []
        for datagram in early where phase == .started {
            receiveDTLS(datagram, from: dtlsPeer ?? selected)
        }
    }

    /// A trickled remote candidate (`rtc.candidate`). An ICE-lite agent sends no checks and
    /// learns the peer from its requests (RFC 8445 §2.5), so this only validates the syntax.
    /// - Returns: whether the candidate parses.
    @discardableResult
    public func addRemoteCandidate(_ candidate: String) -> Bool {
        let value = candidate.hasPrefix("candidate:") ? candidate.dropFirst("candidate:".count) : Substring(candidate)
        return SDPCandidate(sdpValue: value) != nil
    }

    /// Protects a plaintext RTP packet in place (SRTP) and sends it to the selected address;
    /// over UDP `packet` is then a spare buffer of the outbox (not cleared), so a caller that
    /// reuses one buffer for every packet does not allocate per packet. Dropped (and counted)
    /// before the transport is connected.
    public func sendRTP(_ packet: inout ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard phase == .connected, let outboundSRTP, let selected else { return server.metrics.datagramDropped("send-before-connected") }
        do {
            try outboundSRTP.protectRTP(&packet)
        } catch {
            return server.metrics.srtpOutFailures.increment()
        }
        server.metrics.packetsOutRTP.increment()
        send(swapping: &packet, to: selected)
    }

    /// Protects a plaintext compound RTCP packet in place (SRTCP) and sends it.
    public func sendRTCP(_ packet: inout ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard phase == .connected, let outboundSRTP, let selected else { return server.metrics.datagramDropped("send-before-connected") }
        do {
            try outboundSRTP.protectRTCP(&packet)
        } catch {
            return server.metrics.srtpOutFailures.increment()
        }
        server.metrics.packetsOutRTCP.increment()
        send(packet, to: selected)
    }

    /// Closes the transport: no more checks answered, timers cancelled, addresses unbound.
    /// The delegate is not called.
    public func close() {
        eventLoop.assertInEventLoop()
        teardown(.closed)
    }

    /// The only fingerprint algorithm checked (RFC 8122 §5; both Chromium and aiortc send it).
    static let fingerprintAlgorithm = "sha-256"
}
