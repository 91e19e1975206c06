import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StreamLySFUNative
import Synchronization

/// The edge's media socket: one UDP port (`rtc.port`) shared by every `WebRTCTransport`,
/// demultiplexed by ICE ufrag, then by remote address (RFC 7983 §7; mediasoup `WebRtcServer`).
/// Reads are batched (`recvmmsg`, `datagramVectorReadMessageCount`), writes flushed once per
/// loop tick (`sendmmsg`). With `tcpPort`, also an ICE-TCP listener (RFC 6544 passive
/// candidates, RFC 4571 framing) feeding the same transports.
///
/// Run it as a swift-service-lifecycle `Service`, or call `start()` and `shutdown()`.
public final class MediaServer: Service, Sendable {
    public let configuration: MediaServerConfiguration
    /// The DTLS certificate of every transport (ECDSA P-256; its sha-256 goes into SDP).
    public let certificate: SelfSignedCertificate
    let serverContext: DTLSContext
    let clientContext: DTLSContext
    let metrics: MediaServerMetrics
    let logger: Logger
    /// The loop of the UDP channel; the router lives on it.
    let socketLoop: any EventLoop
    private let group: any EventLoopGroup
    let router: NIOLoopBoundBox<MediaRouter>
    let ufrags: UfragTable
    private let state = Mutex(State())
    private let nextID = Atomic<UInt64>(0)
    private let transportCount = Atomic<Int>(0)

    struct State {
        var channel: (any Channel)?
        /// One outbox per event loop that has transports, by `ObjectIdentifier` of the loop.
        var outboxes: [ObjectIdentifier: DatagramOutbox] = [:]
        var tcpListener: (any Channel)?
        var localTCPAddress = TransportAddress(ip: .v4(0), port: 0)
        var candidates: [SDPCandidate] = []
        var localAddress = TransportAddress(ip: .v4(0), port: 0)
        var stopped = false

        /// `eventLoop`'s outbox of the socket, made on first use; nil before the socket is bound.
        mutating func outbox(for eventLoop: any EventLoop, bufferCapacity: Int) -> DatagramOutbox? {
            guard let channel else { return nil }
            if let outbox = outboxes[ObjectIdentifier(eventLoop)] { return outbox }
            let outbox = DatagramOutbox(eventLoop: eventLoop, channel: channel, bufferCapacity: bufferCapacity)
            outboxes[ObjectIdentifier(eventLoop)] = outbox
            return outbox
        }
    }

    /// - Parameters:
    ///   - group: the loops; the socket uses one of them.
    ///   - certificate: the DTLS certificate; a fresh ECDSA P-256 one by default.
    ///   - metricsFactory: where the `streamly_rtc_*` metrics go (tests pass their own).
    public init(configuration: MediaServerConfiguration = .init(), group: any EventLoopGroup,
                certificate: SelfSignedCertificate? = nil,
                logger: Logger = Logger(label: "streamly.rtc"),
                metricsFactory: (any MetricsFactory)? = nil) throws {
        try SRTPLibrary.initialize()
        let certificate = try certificate ?? SelfSignedCertificate()
        self.configuration = configuration
        self.certificate = certificate
        self.serverContext = try DTLSContext(role: .server, certificate: certificate)
        self.clientContext = try DTLSContext(role: .client, certificate: certificate)
        self.logger = logger
        self.metrics = MediaServerMetrics(factory: metricsFactory ?? MetricsSystem.factory)
        self.group = group
        self.socketLoop = group.next()
        let ufrags = UfragTable()
        self.ufrags = ufrags
        self.router = NIOLoopBoundBox.makeBoxSendingValue(MediaRouter(ufrags: ufrags), eventLoop: socketLoop)
    }

    /// The event loop of the UDP socket (run calls on it to avoid a loop hop per datagram).
    public var socketEventLoop: any EventLoop { socketLoop }

    /// Whether the UDP socket is bound and open (for `/readyz`).
    public var isReady: Bool {
        state.withLock { $0.channel?.isActive ?? false }
    }

    /// The bound UDP address (its port is the real one when `port` was 0).
    public var localAddress: TransportAddress {
        state.withLock { $0.localAddress }
    }

    /// The bound ICE-TCP address, when `tcpPort` is set.
    public var localTCPAddress: TransportAddress {
        state.withLock { $0.localTCPAddress }
    }

    /// The host candidates every transport announces.
    public var candidates: [SDPCandidate] {
        state.withLock { $0.candidates }
    }

    /// Binds the UDP socket and works out the announced addresses.
    public func start() async throws {
        let metrics = self.metrics
        let router = self.router
        let bootstrap = DatagramBootstrap(group: socketLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(configuration.socketBufferSize))
            .channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(configuration.socketBufferSize))
            .channelOption(.datagramVectorReadMessageCount, value: configuration.vectorReadMessageCount)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(
                capacity: configuration.maximumDatagramSize * configuration.vectorReadMessageCount))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MediaDatagramHandler(router: router.value, metrics: metrics))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let bound = channel.localAddress.flatMap(TransportAddress.init) ?? TransportAddress(ip: .v4(0), port: 0)
        var tcpListener: (any Channel)?
        if let tcpPort = configuration.tcpPort {
            do {
                tcpListener = try await startTCPListener(port: tcpPort)
            } catch {
                try? await channel.close()
                throw error
            }
        }
        let tcpBound = tcpListener?.localAddress.flatMap(TransportAddress.init)
        let ips = try configuration.announcedIPs ?? Self.interfaceAddresses(boundTo: configuration.host)
        let candidates = Self.hostCandidates(ips: ips, udpPort: bound.port, tcpPort: tcpBound?.port,
                                            udp: configuration.announcesUDP)
        state.withLock {
            $0.channel = channel
            $0.tcpListener = tcpListener
            $0.localAddress = bound
            $0.localTCPAddress = tcpBound ?? TransportAddress(ip: .v4(0), port: 0)
            $0.candidates = candidates
        }
        logger.info("media server listening", metadata: [
            "udp": "\(bound)", "tcp": "\(tcpBound.map { "\($0)" } ?? "off")",
            "announced": "\(ips.joined(separator: ","))",
        ])
    }

    /// Closes every transport (`.serverShutdown` to their delegates) and the socket.
    public func shutdown() async throws {
        let (channel, tcpListener) = state.withLock { state -> ((any Channel)?, (any Channel)?) in
            state.stopped = true
            defer {
                state.channel = nil
                state.outboxes = [:]
                state.tcpListener = nil
            }
            return (state.channel, state.tcpListener)
        }
        try? await tcpListener?.close()
        let router = self.router
        let transports = try await socketLoop.submit { router.value.removeAll() }.get()
        for transport in transports {
            try? await transport.eventLoop.submit { transport.fail(.serverShutdown) }.get()
        }
        try? await channel?.close()
    }

    /// `Service`: starts, runs until graceful shutdown, shuts down.
    public func run() async throws {
        try await start()
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// A new transport on `eventLoop` (the call's), with fresh ICE credentials, the server's
    /// fingerprint and candidates. Call after `start()`. Beyond `maximumTransports` the
    /// transport is returned closed (its delegate gets nothing; check `isClosed`).
    public func makeTransport(on eventLoop: any EventLoop) -> WebRTCTransport {
        var random = SystemRandomNumberGenerator()
        let capacity = configuration.maximumDatagramSize + SRTPSession.maximumTrailerLength
        let (channel, outbox, candidates, stopped) = state.withLock { state in
            (state.channel, state.outbox(for: eventLoop, bufferCapacity: capacity), state.candidates, state.stopped)
        }
        let local = LocalTransportParameters(
            ice: .random(using: &random),
            fingerprints: [SDPFingerprint(hashFunction: WebRTCTransport.fingerprintAlgorithm,
                                          value: certificate.sha256Fingerprint)],
            candidates: candidates)
        let id = TransportID(rawValue: nextID.add(1, ordering: .relaxed).newValue)
        let transport = WebRTCTransport(id: id, eventLoop: eventLoop, local: local, server: self, outbox: outbox)
        let count = transportCount.add(1, ordering: .relaxed).newValue
        metrics.transportsCreated.increment()
        metrics.transports.record(count)
        if count > configuration.maximumTransports || stopped || channel == nil {
            transport.phase = .closed
            transportCount.subtract(1, ordering: .relaxed)
            metrics.transports.record(transportCount.load(ordering: .relaxed))
            return transport
        }
        ufrags.register(transport)  // at once: the peer may check as soon as it has the SDP
        eventLoop.execute { transport.armConsentTimer() }
        return transport
    }

    /// Called by a transport on its loop when a check on `address` was authenticated.
    func bind(_ address: MediaPath, to transport: WebRTCTransport) {
        let router = self.router
        if socketLoop.inEventLoop {
            router.value.bind(address, to: transport)
        } else {
            socketLoop.execute { router.value.bind(address, to: transport) }
        }
    }

    /// Called by a transport on its loop when it closes.
    func transportClosed(_ transport: WebRTCTransport, paths: [MediaPath], reason: TransportCloseReason) {
        let count = transportCount.subtract(1, ordering: .relaxed).newValue
        metrics.transports.record(count)
        metrics.transportClosed(reason)
        ufrags.unregister(transport)
        logger.debug("transport closed", metadata: ["transport": "\(transport.id)", "reason": "\(reason)"])
        let router = self.router
        socketLoop.execute { router.value.unregister(transport, paths: paths) }
    }
}

extension WebRTCTransport {
    /// Whether the transport is closed (by `close()`, by itself, or created beyond the limit).
    public var isClosed: Bool { phase == .closed }
}
