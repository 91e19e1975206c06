import NIOCore

/// Settings of an edge's `MediaServer` (configuration keys `rtc.*`, docs/configuration.md).
public struct MediaServerConfiguration: Sendable, Hashable {
    /// Address the UDP socket binds (`rtc.host`, default all interfaces).
    public var host: String
    /// The one UDP port of every transport (`rtc.port`, default 10000).
    public var port: Int
    /// Addresses written into candidates (`rtc.announced.ips`); nil: every non-loopback,
    /// non-link-local interface address, found at start (browsers skip loopback candidates).
    public var announcedIPs: [String]?
    /// ICE-TCP passive listener port (`rtc.tcp.port`, RFC 6544; 0: the kernel picks); nil: no
    /// TCP listener and no TCP candidates.
    public var tcpPort: Int?
    /// Whether transports announce their UDP candidates (`rtc.udp.candidates`); false (only
    /// with `tcpPort`): ICE-TCP candidates alone, for clients that must not try UDP (and tests
    /// of ICE-TCP with browsers, which would otherwise pick UDP).
    public var announcesUDP = true
    /// Consent timeout and STUN checks (RFC 7675: 30 s).
    public var ice: IceLiteConfiguration
    /// Largest DTLS datagram the edge writes (UDP payload bytes).
    public var dtlsMTU: Int
    /// How long after `start(remote:)` the DTLS handshake may take before the transport
    /// closes with `.dtlsFailed`.
    public var dtlsHandshakeTimeout: TimeAmount
    /// Datagrams read per system call (`recvmmsg`, NIO's `datagramVectorReadMessageCount`).
    public var vectorReadMessageCount: Int
    /// Receive buffer per datagram; longer datagrams are truncated by the kernel and fail
    /// SRTP authentication.
    public var maximumDatagramSize: Int
    /// Transports one server holds at most (`rtc.max.transports`); `makeTransport` beyond it
    /// returns a transport that is already closed.
    public var maximumTransports: Int
    /// Remote addresses one transport answers checks from at most (a peer tries a few
    /// candidate pairs; more is an attack).
    public var maximumAddressesPerTransport: Int
    /// ICE-TCP connections open at once (bound to a transport or not).
    public var maximumTCPConnections: Int
    /// ICE-TCP connections open at once from one client address (IPv4 address or IPv6 /64).
    public var maximumTCPConnectionsPerAddress = 16
    /// STUN checks one transport answers per second, sustained (browsers send a few per
    /// second; more is a flood or a reflection attempt); bursts up to twice as many.
    public var stunChecksPerSecond: Int
    /// DTLS datagrams kept for a transport whose remote parameters are not set yet.
    public var maximumEarlyDTLSDatagrams: Int
    /// Kernel socket buffers (`SO_RCVBUF`/`SO_SNDBUF`).
    public var socketBufferSize: Int

    public init(host: String = "0.0.0.0", port: Int = 10_000, announcedIPs: [String]? = nil, tcpPort: Int? = nil,
                ice: IceLiteConfiguration = .init(), dtlsMTU: Int = 1200,
                dtlsHandshakeTimeout: TimeAmount = .seconds(30), vectorReadMessageCount: Int = 32,
                maximumDatagramSize: Int = 2048, maximumTransports: Int = 10_000,
                maximumAddressesPerTransport: Int = 8, maximumTCPConnections: Int = 1_000,
                stunChecksPerSecond: Int = 50, maximumEarlyDTLSDatagrams: Int = 8,
                socketBufferSize: Int = 4 << 20) {
        self.host = host
        self.port = port
        self.announcedIPs = announcedIPs
        self.tcpPort = tcpPort
        self.ice = ice
        self.dtlsMTU = dtlsMTU
        self.dtlsHandshakeTimeout = dtlsHandshakeTimeout
        self.vectorReadMessageCount = vectorReadMessageCount
        self.maximumDatagramSize = maximumDatagramSize
        self.maximumTransports = maximumTransports
        self.maximumAddressesPerTransport = maximumAddressesPerTransport
        self.maximumTCPConnections = maximumTCPConnections
        self.stunChecksPerSecond = stunChecksPerSecond
        self.maximumEarlyDTLSDatagrams = maximumEarlyDTLSDatagrams
        self.socketBufferSize = socketBufferSize
    }
}
