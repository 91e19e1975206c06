import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import ServiceLifecycle
import StreamLyProtocol
import StreamLyRetry

/// Keeps links to a set of peers (the edge's origins) up: connects to each,
/// reconnects with exponential backoff and jitter when one goes away, and spreads
/// requests round-robin over the healthy ones, retrying refused requests elsewhere.
public final class LinkPool: Service, Sendable {
    /// One peer address.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `host:port`.
        public init?(_ string: String) {
            guard let colon = string.lastIndex(of: ":"), let number = Int(string[string.index(after: colon)...]),
                  (1...65_535).contains(number), colon != string.startIndex else { return nil }
            host = String(string[..<colon])
            port = number
        }

        public var description: String { "\(host):\(port)" }
    }

    /// Link state of one member, for readiness and metrics.
    public enum MemberState: String, Sendable, Codable {
        case connecting, up, draining, down
    }

    public struct MemberStatus: Sendable, Codable {
        public var address: String
        public var state: MemberState
        public var peerNodeID: String?
        public var reconnects: Int
        public var lastError: String?
    }

    struct Member {
        var status: MemberStatus
        var connection: LinkConnection?
    }

    let addresses: [Address]
    let endpoint: LinkEndpointConfiguration
    let tls: NIOSSLContext?
    let backoff: RetryPolicy
    /// The clock reconnect waits run on (tests pass their own).
    let clock: any Clock<Duration>
    let logger: Logger
    let onInbound: @Sendable (LinkInbound, LinkConnection) async -> Void
    private let members: NIOLockedValueBox<[Member]>
    private let cursor = NIOLockedValueBox(0)

    public init(addresses: [Address], endpoint: LinkEndpointConfiguration, tls: NIOSSLContext? = nil,
                backoff: RetryPolicy = .linkReconnect, clock: any Clock<Duration> = ContinuousClock(), logger: Logger,
                onInbound: @escaping @Sendable (LinkInbound, LinkConnection) async -> Void = { _, _ in }) {
        self.addresses = addresses
        self.endpoint = endpoint
        self.tls = tls
        self.backoff = backoff
        self.clock = clock
        self.logger = logger
        self.onInbound = onInbound
        self.members = NIOLockedValueBox(addresses.map {
            Member(status: MemberStatus(address: $0.description, state: .connecting, reconnects: 0), connection: nil)
        })
    }

    /// Status of every member.
    public var status: [MemberStatus] { members.withLockedValue { $0.map(\.status) } }

    /// Ready when at least one member is up.
    public var isReady: Bool { members.withLockedValue { $0.contains { $0.status.state == .up } } }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for index in addresses.indices {
                group.addTask { await self.maintain(index) }
            }
        }
    }

    /// Connects member `index` and keeps reconnecting until shutdown.
    private func maintain(_ index: Int) async {
        let address = addresses[index]
        let upGauge = Gauge(label: "streamly_link_up", dimensions: [("origin", address.description)])
        let reconnects = Counter(label: "streamly_link_reconnects_total", dimensions: [("origin", address.description)])
        var attempt = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            update(index) { $0.status.state = .connecting }
            do {
                let connection = try await LinkClient.connect(
                    host: address.host, port: address.port, endpoint: endpoint, tls: tls,
                    serverHostname: tls == nil ? nil : address.host, linkName: "origin \(address)", logger: logger
                )
                attempt = 0
                update(index) {
                    $0.connection = connection
                    $0.status.state = .up
                    $0.status.peerNodeID = connection.peer.nodeID
                    $0.status.lastError = nil
                }
                upGauge.record(1)
                logger.info("link up", metadata: ["origin": "\(address)", "peer": "\(connection.peer.nodeID)"])
                await withGracefulShutdownHandler {
                    for await inbound in connection.inbound {
                        await onInbound(inbound, connection)
                    }
                } onGracefulShutdown: {
                    Task { await connection.drainAndClose(reason: "edge shutting down", timeout: .seconds(5)) }
                }
                // Cancelled (the service group stops when another service fails): nobody drains
                // the link, so close it here, or this waits on it for ever and the process stays.
                await withTaskCancellationHandler {
                    try? await connection.closeFuture.get()
                } onCancel: {
                    Task { await connection.close() }
                }
                upGauge.record(0)
                update(index) {
                    $0.connection = nil
                    $0.status.state = .down
                    $0.status.reconnects += 1
                }
                reconnects.increment()
                logger.warning("link down", metadata: ["origin": "\(address)"])
            } catch {
                update(index) {
                    $0.status.state = .down
                    $0.status.lastError = "\(error)"
                }
                logger.debug("link connect failed", metadata: ["origin": "\(address)", "error": "\(error)"])
            }
            try? await backoff.sleep(beforeAttempt: attempt, on: clock)
            attempt += 1
        }
    }

    private func update(_ index: Int, _ body: (inout Member) -> Void) {
        members.withLockedValue { body(&$0[index]) }
    }

    /// The next member able to take a request: round-robin, or with `affinity` the member
    /// that rendezvous hashing ranks first for that key among the healthy ones (so requests
    /// about one thing, e.g. one upload, go to one origin while it is up, from every edge).
    func nextConnection(excluding tried: Set<ObjectIdentifier>, affinity: String? = nil) -> LinkConnection? {
        let candidates = members.withLockedValue { members in
            members.compactMap { member -> (address: String, connection: LinkConnection)? in
                guard let connection = member.connection, connection.isAcceptingRequests,
                      !tried.contains(ObjectIdentifier(connection)) else { return nil }
                return (member.status.address, connection)
            }
        }
        guard !candidates.isEmpty else { return nil }
        if let affinity {
            return candidates.max { Self.rank($0.address, affinity) < Self.rank($1.address, affinity) }?.connection
        }
        let turn = cursor.withLockedValue { value -> Int in
            value &+= 1
            return value
        }
        return candidates[abs(turn) % candidates.count].connection
    }

    /// Rendezvous weight of `member` for `key`: FNV-1a 64 of both, then MurmurHash3's 64-bit
    /// finaliser (FNV alone spreads keys that differ in their last bytes badly); the same in
    /// every process.
    static func rank(_ member: String, _ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(member.utf8) + [0] + Array(key.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        return hash ^ (hash >> 33)
    }

    /// Sends a request to a healthy member (see `nextConnection` for `affinity`). Requests the member refused (never
    /// processed) are retried on the others; with no member up, waits up to
    /// `waitForPeer` for one before failing with `unavailable`.
    public func request(_ method: String, metadata: LinkMetadata = [:], body: ByteBuffer = ByteBuffer(),
                        affinity: String? = nil, waitForPeer: Duration = .seconds(2)) async throws -> LinkResponse {
        try await onHealthyMember(affinity: affinity, waitForPeer: waitForPeer) { connection in
            try await connection.request(method, metadata: metadata, body: body)
        }
    }

    /// Opens a request whose body is streamed through the returned writer, on a healthy
    /// member (see `nextConnection` for `affinity`). Only opening is retried elsewhere:
    /// once body bytes flow, a failure is the caller's to handle. With no member up, waits
    /// up to `waitForPeer` for one before failing with `unavailable`.
    public func streamingRequest(_ method: String, metadata: LinkMetadata = [:], affinity: String? = nil,
                                 waitForPeer: Duration = .seconds(2)) async throws
        -> (writer: LinkBodyWriter, response: @Sendable () async throws -> LinkResponse)
    {
        try await onHealthyMember(affinity: affinity, waitForPeer: waitForPeer) { connection in
            try await connection.streamingRequest(method, metadata: metadata)
        }
    }

    /// Runs `operation` on a healthy member; a refusal (never processed) moves it to the
    /// next member. With no member left, polls every 25 ms until `waitForPeer` has passed,
    /// then fails with the last refusal or `unavailable`.
    private func onHealthyMember<Result>(
        affinity: String?, waitForPeer: Duration, _ operation: (LinkConnection) async throws -> Result
    ) async throws -> Result {
        let deadline = ContinuousClock.now + waitForPeer
        var tried = Set<ObjectIdentifier>()
        var lastError: LinkError?
        while true {
            if let connection = nextConnection(excluding: tried, affinity: affinity) {
                do {
                    return try await operation(connection)
                } catch let error as LinkError where error.isRetryable {
                    tried.insert(ObjectIdentifier(connection))
                    lastError = error
                    continue
                }
            }
            guard ContinuousClock.now < deadline else {
                throw lastError ?? LinkError(.unavailable, "no origin link is up")
            }
            tried.removeAll()
            try await Task.sleep(for: .milliseconds(25))
        }
    }
}
