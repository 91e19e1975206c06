import CoreMetrics
import Crypto
import Foundation
import Logging
import NIOCore
import NIOPosix
import StreamLySFUNative
import Synchronization

/// The edge's relay socket (`rtc.relay.port`): one UDP port every relay link of every call
/// shares (mediasoup's PipeTransport, Jitsi's relays: one copy of each track per peer edge).
/// Datagrams are routed by the receiver's link id in their header (`RelayDatagram`) to the link's
/// call loop; hellos (link id 0) by call and sender after their MAC checked out. A hello for a
/// call this edge hosts but has no link for goes to `acceptor` (the `CallRelay`), which opens one.
public final class RelayServer: Sendable {
    /// A datagram for a link, on its way to the link's loop.
    enum Inbound {
        case hello(RelayHello)
        case helloAck(RelayHello)
        case state(ByteBuffer)
        case srtp(ByteBuffer)
        case srtcp(ByteBuffer)
    }

    /// A read batch's datagrams for links on other loops than the socket's.
    typealias Handover = LoopHandover<(entry: Entry, inbound: Inbound)>

    struct Entry: Sendable {
        var call: String
        var peer: SocketAddress
        var loop: any EventLoop
        var deliver: @Sendable (Inbound) -> Void
    }

    struct State {
        var channel: (any Channel)?
        /// One outbox per event loop that sends through the socket, by `ObjectIdentifier` of the loop.
        var outboxes: [ObjectIdentifier: DatagramOutbox] = [:]
        var links: [UInt32: Entry] = [:]
        var byCall: [String: [SocketAddress: UInt32]] = [:]
        var acceptor: (@Sendable (_ call: String, _ peer: SocketAddress, _ hello: RelayHello) -> Void)?
        var helloTokens: Double = 0
        var helloRefill = NIODeadline.now()
    }

    public let configuration: RelayConfiguration
    /// This server's random id (hello glare; a restarted edge has a new one).
    public let instance = UInt64.random(in: 1...UInt64.max)
    let secret: String
    let helloKey: SymmetricKey
    let metrics: RelayMetrics
    let logger: Logger
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    public init(configuration: RelayConfiguration, clusterSecret: String, group: any EventLoopGroup,
                logger: Logger = Logger(label: "streamly.relay"), metricsFactory: (any MetricsFactory)? = nil) {
        self.configuration = configuration
        self.secret = clusterSecret
        self.helloKey = RelayKeys.helloKey(secret: clusterSecret)
        self.metrics = RelayMetrics(factory: metricsFactory ?? MetricsSystem.factory)
        self.logger = logger
        self.group = group
        state.withLock { $0.helloTokens = Double(2 * configuration.hellosPerSecond) }
    }

    /// The bound address (the real port when `port` was 0).
    public var localAddress: SocketAddress? { state.withLock { $0.channel?.localAddress } }

    public var isReady: Bool { state.withLock { $0.channel?.isActive ?? false } }

    public func start() async throws {
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: RelayDatagram.maximumLength))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RelayDatagramHandler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        state.withLock { $0.channel = channel }
        logger.info("relay listening", metadata: ["udp": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
    }

    public func shutdown() async {
        let channel = state.withLock { state -> (any Channel)? in
            defer {
                state.channel = nil
                state.outboxes = [:]
            }
            return state.channel
        }
        try? await channel?.close()
    }

    /// Who opens links for hellos of unknown calls (set once by `CallRelay`).
    func setAcceptor(_ acceptor: @escaping @Sendable (_ call: String, _ peer: SocketAddress, _ hello: RelayHello) -> Void) {
        state.withLock { $0.acceptor = acceptor }
    }

    /// A new link's id; nil when the link limit is reached or the call already has a link to `peer`.
    func register(call: String, peer: SocketAddress, loop: any EventLoop,
                  deliver: @escaping @Sendable (Inbound) -> Void) -> UInt32? {
        state.withLock { state in
            guard state.links.count < configuration.maximumLinks, state.byCall[call]?[peer] == nil else { return nil }
            var id: UInt32 = 0
            while id == 0 || state.links[id] != nil { id = UInt32.random(in: 1...UInt32.max) }
            state.links[id] = Entry(call: call, peer: peer, loop: loop, deliver: deliver)
            state.byCall[call, default: [:]][peer] = id
            return id
        }
    }

    func unregister(_ id: UInt32) {
        state.withLock { state in
            guard let entry = state.links.removeValue(forKey: id) else { return }
            state.byCall[entry.call]?[entry.peer] = nil
            if state.byCall[entry.call]?.isEmpty ?? false { state.byCall[entry.call] = nil }
        }
    }

    /// A relayed packet's buffer: the relay header, a full-size media datagram and the SRTP
    /// trailer (a larger packet grows its buffer).
    static let sendBufferCapacity = RelayDatagram.headerLength + 1_500 + SRTPSession.maximumTrailerLength

    /// `eventLoop`'s outbox of the relay socket (a tick's datagrams leave in one flush, handed to
    /// the socket's loop once per tick), made on first use; nil before `start` and after
    /// `shutdown`. Senders read it once and keep it (`RelaySender`): the per-packet path takes no lock.
    func outbox(for eventLoop: any EventLoop) -> DatagramOutbox? {
        state.withLock { state -> DatagramOutbox? in
            guard let channel = state.channel else { return nil }
            if let outbox = state.outboxes[ObjectIdentifier(eventLoop)] { return outbox }
            let outbox = DatagramOutbox(eventLoop: eventLoop, channel: channel, bufferCapacity: Self.sendBufferCapacity)
            state.outboxes[ObjectIdentifier(eventLoop)] = outbox
            return outbox
        }
    }

    // MARK: Inbound (socket loop)

    /// Routes one datagram to its link (through `batch` for a link on another loop, which the
    /// handler hands over once per read batch); a hello for a call without a link here to the acceptor.
    func received(_ envelope: AddressedEnvelope<ByteBuffer>, into batch: inout Handover) {
        var buffer = envelope.data
        guard let header = RelayDatagram.parse(&buffer) else {
            metrics.dropped("malformed")
            return
        }
        if header.kind == .hello {
            guard takeHelloToken() else {
                metrics.dropped("hello-rate")
                return
            }
            guard let hello = RelayHello.parse(datagram: buffer, key: helloKey) else {
                metrics.dropped("bad-hello")
                return
            }
            let (entry, acceptor) = state.withLock { state in
                (state.byCall[hello.call]?[envelope.remoteAddress].flatMap { state.links[$0] }, state.acceptor)
            }
            if let entry {
                route(.hello(hello), to: entry, batch: &batch)
            } else if let acceptor {
                acceptor(hello.call, envelope.remoteAddress, hello)
            }
            return
        }
        guard let entry = state.withLock({ $0.links[header.linkID] }), entry.peer == envelope.remoteAddress else {
            metrics.dropped("unknown-link")
            return
        }
        let inbound: Inbound
        switch header.kind {
        case .helloAck:
            guard let ack = RelayHello.parse(datagram: buffer, key: helloKey) else {
                metrics.dropped("bad-hello")
                return
            }
            inbound = .helloAck(ack)
        case .state: inbound = .state(buffer)
        case .srtp: inbound = .srtp(buffer)
        default: inbound = .srtcp(buffer)
        }
        route(inbound, to: entry, batch: &batch)
    }

    /// A link on the socket's loop gets its datagram at once; one on another loop at the end of
    /// the read batch.
    private func route(_ inbound: Inbound, to entry: Entry, batch: inout Handover) {
        if entry.loop.inEventLoop {
            entry.deliver(inbound)
        } else {
            batch.append((entry, inbound), for: entry.loop)
        }
    }

    private func takeHelloToken() -> Bool {
        state.withLock { state in
            let now = NIODeadline.now()
            let rate = Double(configuration.hellosPerSecond)
            let elapsed = Double((now - state.helloRefill).nanoseconds) / 1e9
            state.helloRefill = now
            state.helloTokens = min(2 * rate, state.helloTokens + elapsed * rate)
            guard state.helloTokens >= 1 else { return false }
            state.helloTokens -= 1
            return true
        }
    }
}

/// The relay socket's inbound end.
final class RelayDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let server: RelayServer
    private var batch = RelayServer.Handover()

    init(server: RelayServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        server.received(unwrapInboundIn(data), into: &batch)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        batch.deliver { item in item.entry.deliver(item.inbound) }
        context.fireChannelReadComplete()
    }
}
