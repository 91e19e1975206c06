import NIOCore
import NIOPosix
import StreamLySFU
import StreamLySFUNative
import Synchronization

/// One synthetic call participant: its signaling, its `pub` peer connection when it publishes
/// and its `sub` peer connection, each on the participant's event loop.
final class RTCLoadParticipant: Sendable {
    let call: Int
    /// Its index among the run's publishers (its stream tags), nil for a subscriber only.
    let publisherIndex: Int?
    let loop: any EventLoop
    let signaling: any RTCLoadSignaling
    let certificate: SelfSignedCertificate
    let tags: Int
    private let state: Mutex<State>

    struct State {
        var publisher: NIOLoopBound<RTCLoadPeer<RTCPublisherMedia>>?
        var subscriber: NIOLoopBound<RTCLoadPeer<RTCSubscriberMedia>>?
        var channels: [any Channel] = []
        var answering: Task<Void, Never>?
        var subscribeError: String?
    }

    init(call: Int, publisherIndex: Int?, loop: any EventLoop, signaling: any RTCLoadSignaling,
         certificate: SelfSignedCertificate, tags: Int) {
        self.call = call
        self.publisherIndex = publisherIndex
        self.loop = loop
        self.signaling = signaling
        self.certificate = certificate
        self.tags = tags
        self.state = Mutex(State())
    }

    var publisher: NIOLoopBound<RTCLoadPeer<RTCPublisherMedia>>? { state.withLock { $0.publisher } }
    var subscriber: NIOLoopBound<RTCLoadPeer<RTCSubscriberMedia>>? { state.withLock { $0.subscriber } }
    var subscribeError: String? { state.withLock { $0.subscribeError } }

    /// Offers on `pub`, connects ICE/DTLS/SRTP to the answer's candidate.
    func publish(profile: RTCLoadProfile) async throws {
        guard let index = publisherIndex else { return }
        var generator = SystemRandomNumberGenerator()
        let ice = IceCredentials.random(using: &generator)
        let ssrcBase = UInt32(0x1000_0000) &+ UInt32(index) &* 16
        let channel = try await bind()
        let offer = RTCLoadSDP.publishOffer(ice: ice, fingerprint: certificate.sha256Fingerprint, audioSSRC: ssrcBase,
                                            sessionID: .random(in: 1...UInt64(Int64.max)), candidate: channel.localAddress!)
        let peer: NIOLoopBound<RTCLoadPeer<RTCPublisherMedia>>
        do {
            let answer = try SessionDescription.parse(try await signaling.publish(offer: offer))
            let remote = try RTCLoadSDP.remote(of: answer)
            peer = try await Self.connect(
                channel, remote: remote, local: ice, role: remote.setup == .active ? .server : .client,
                certificate: certificate, on: loop) { RTCPublisherMedia(index: index, profile: profile, ssrcBase: ssrcBase) }
        } catch {
            try? await channel.close()
            throw error
        }
        state.withLock {
            $0.publisher = peer
            $0.channels.append(channel)
        }
    }

    /// Waits for the server's first subscribe offer, answers it and connects; then answers its
    /// re-offers in the background until `stop()`. `publishers`: the run's
    /// publisher indices in this call other than this participant.
    func subscribe(to publishers: [Int]) async throws {
        guard !publishers.isEmpty else { return }  // a lone publisher: nothing to receive
        try await signaling.subscribe(to: publishers)
        guard let text = try await signaling.nextSubscribeOffer(timeout: .seconds(30)) else {
            throw RTCLoadSDP.Failure(description: "no subscribe offer within 30 s")
        }
        var generator = SystemRandomNumberGenerator()
        let ice = IceCredentials.random(using: &generator)
        let offer = try SessionDescription.parse(text)
        let remote = try RTCLoadSDP.remote(of: offer)
        let fingerprint = certificate.sha256Fingerprint
        let channel = try await bind()
        let candidate = channel.localAddress!
        let tags = self.tags
        let peer: NIOLoopBound<RTCLoadPeer<RTCSubscriberMedia>>
        do {
            try await signaling.answerSubscribe(RTCLoadSDP.answer(to: offer, ice: ice, fingerprint: fingerprint,
                                                                  sessionID: .random(in: 1...UInt64(Int64.max)),
                                                                  candidate: candidate))
            peer = try await Self.connect(channel, remote: remote, local: ice, role: .client, certificate: certificate,
                                          on: loop) { RTCSubscriberMedia(tags: tags) }
        } catch {
            try? await channel.close()
            throw error
        }
        let signaling = self.signaling
        let answering = Task { [self] in
            while !Task.isCancelled {
                do {
                    guard let text = try await signaling.nextSubscribeOffer(timeout: .seconds(1)) else { continue }
                    let offer = try SessionDescription.parse(text)
                    try await signaling.answerSubscribe(RTCLoadSDP.answer(
                        to: offer, ice: ice, fingerprint: fingerprint, sessionID: .random(in: 1...UInt64(Int64.max)),
                        candidate: candidate))
                } catch {
                    if !Task.isCancelled { state.withLock { $0.subscribeError = "\(error)" } }
                    return
                }
            }
        }
        state.withLock {
            $0.subscriber = peer
            $0.channels.append(channel)
            $0.answering = answering
        }
    }

    func stop() async {
        let (channels, answering) = state.withLock { ($0.channels, $0.answering) }
        answering?.cancel()
        for channel in channels { try? await channel.close() }
        await signaling.leave()
    }

    /// A UDP socket on the participant's loop, on the address the server reaches us at (its
    /// port goes into our SDP's candidate).
    private func bind() async throws -> any Channel {
        let bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
        guard let namespace = signaling.namespace else {
            return try await bootstrap.bind(host: signaling.localAddress, port: 0).get()
        }
        return try await bootstrap.withBoundSocket(try NamespaceSocket.udp(in: namespace, address: signaling.localAddress)).get()
    }

    /// Puts an `RTCLoadPeer` towards `remote` on `channel`; returns once its DTLS-SRTP is up.
    static func connect<Media: RTCLoadMedia>(
        _ channel: any Channel, remote: RTCLoadSDP.Remote, local: IceCredentials, role: DTLSContext.Role,
        certificate: SelfSignedCertificate, on loop: any EventLoop, media: @escaping @Sendable () -> Media
    ) async throws -> NIOLoopBound<RTCLoadPeer<Media>> {
        let ready = loop.makePromise(of: Void.self)
        try await loop.submit {
            try channel.pipeline.syncOperations.addHandler(try RTCLoadPeer(
                server: remote.address, remote: remote.ice, local: local, role: role, certificate: certificate,
                media: media(), ready: ready))
        }.get()
        let timeout = loop.scheduleTask(in: .seconds(20)) {
            ready.fail(RTCLoadSDP.Failure(description: "ICE/DTLS with \(remote.address) not up within 20 s"))
        }
        try await ready.futureResult.get()
        timeout.cancel()
        return try await loop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RTCLoadPeer<Media>.self), eventLoop: loop)
        }.get()
    }
}
