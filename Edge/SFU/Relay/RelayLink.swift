import Crypto
import Foundation
import NIOCore
import StreamLySFUNative

/// One call's link to one peer edge, on the call's loop. Sends the peer this edge's local
/// tracks (each layer the peer's subscribers need, once, whatever their number) and what this
/// edge's subscribers need of the peer's tracks; feeds the peer's tracks into the call as remote
/// participants, and carries feedback both ways (PLI/FIR/NACK towards the publishing edge).
final class RelayLink<Transport: CallTransport>: CallRelayHook, RemoteUplink {
    /// A remote track: the local producer and the id it has on the publishing edge.
    struct RemoteTrack {
        var producer: Producer<Transport>
        var remoteID: String
    }

    struct RemoteParticipant {
        var participant: Participant<Transport>
        var tracks: [String: RemoteTrack] = [:]
    }

    weak var call: Call<Transport>?
    let channel: String
    let server: RelayServer
    let peer: SocketAddress
    private(set) var localID: UInt32 = 0
    var machine: RelayLinkStateMachine
    let sender: RelaySender
    var inbound: SRTPSession?
    var sendStateKey: SymmetricKey?
    var receiveStateKey: SymmetricKey?
    var sequenceOut: UInt64 = 0
    var sequenceIn: UInt64 = 0
    var remote: [String: RemoteParticipant] = [:]
    /// Remote participant by media SSRC, for packets from the peer.
    var bySSRC: [UInt32: Participant<Transport>] = [:]
    /// Taps on local producers, by producer.
    var taps: [ObjectIdentifier: (producer: Producer<Transport>, tap: RelayTap)] = [:]
    var lastSent: UInt64 = 0
    var packetsIn = 0
    var bytesIn = 0
    var tracksInCount = 0
    var tracksOutCount = 0
    var isClosed = false

    init(call: Call<Transport>, server: RelayServer, peer: SocketAddress) {
        self.call = call
        self.channel = call.channel
        self.server = server
        self.peer = peer
        self.machine = RelayLinkStateMachine(instance: server.instance,
                                             consentTimeout: UInt64(server.configuration.consentTimeout.components.seconds) * 1_000_000_000
                                                 + UInt64(server.configuration.consentTimeout.components.attoseconds / 1_000_000_000))
        self.sender = RelaySender(server: server, peer: peer, eventLoop: call.eventLoop)
    }

    /// Registers with the socket and sends the first hello; false when refused (limit, duplicate).
    func open() -> Bool {
        let bound = NIOLoopBound(self, eventLoop: call!.eventLoop)
        guard let id = server.register(call: channel, peer: peer, loop: call!.eventLoop, deliver: { inbound in
            bound.value.receive(inbound)
        }) else { return false }
        localID = id
        server.metrics.links.increment()
        perform(machine.start(now: Self.now(), nonce: RelayHello.randomNonce()))
        return true
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
    static func wallMilliseconds() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    // MARK: CallRelayHook

    func callChanged() {
        sendState()
    }

    func tick() {
        let now = Self.now()
        perform(machine.tick(now: now, freshNonce: RelayHello.randomNonce))
        if machine.session != nil && now - lastSent >= 900_000_000 { sendState() }
        server.metrics.packetsOut.increment(by: sender.packets)
        server.metrics.bytesOut.increment(by: sender.bytes)
        server.metrics.packetsIn.increment(by: packetsIn)
        server.metrics.bytesIn.increment(by: bytesIn)
        sender.packets = 0
        sender.bytes = 0
        packetsIn = 0
        bytesIn = 0
    }

    func callClosed() {
        close(sayBye: true)
    }

    /// Unlinks: drops the peer's tracks (when the call goes on), tells the peer, forgets the link.
    func close(sayBye: Bool) {
        guard !isClosed else { return }
        if sayBye, machine.session != nil { sendState(bye: true) }
        isClosed = true
        dropRemote()
        removeTaps()
        machine.close()
        server.unregister(localID)
        server.metrics.links.decrement()
        call?.relays.removeAll { $0 === self }
    }

    /// The peer said `bye`: its tracks and this edge's taps go, and the link says hello again
    /// (answered if the peer links again or its call comes back; `CascadePlan` or the call's
    /// end closes it otherwise).
    func peerSaidBye() {
        dropRemote()
        removeTaps()
        inbound = nil
        sender.srtp = nil
        perform(machine.byeReceived(now: Self.now(), nonce: RelayHello.randomNonce()))
    }

    // MARK: RemoteUplink

    func sendRTCP(_ packet: inout ByteBuffer) {
        sender.sendRTCP(packet)
    }

    // MARK: Handshake

    private func perform(_ action: RelayLinkStateMachine.Action) {
        switch action {
        case .none:
            return
        case .sendHello(let nonce):
            var buffer = ByteBuffer()
            RelayHello(senderLinkID: localID, nonce: nonce, timeMilliseconds: Self.wallMilliseconds(), instance: server.instance,
                       call: channel).write(kind: .hello, receiverLinkID: 0, key: server.helloKey, to: &buffer)
            sender.sendFramed(buffer)
        case .establish(let session, let sendAck, let dropPrevious):
            if dropPrevious { dropRemote() }
            install(session)
            if sendAck { sendAckFor(session) }
            sendState()
        case .resendAck(let session):
            sendAckFor(session)
        case .expired:
            server.metrics.expired.increment()
            server.logger.info("relay peer silent: its tracks are dropped", metadata: ["call": "\(channel)", "peer": "\(peer)"])
            dropRemote()
            removeTaps()
            inbound = nil
            sender.srtp = nil
        }
    }

    private func sendAckFor(_ session: RelayLinkStateMachine.Session) {
        var buffer = ByteBuffer()
        RelayHello(senderLinkID: localID, nonce: session.responderNonce, echoedNonce: session.initiatorNonce,
                   timeMilliseconds: Self.wallMilliseconds(), instance: server.instance, call: channel)
            .write(kind: .helloAck, receiverLinkID: session.peerLinkID, key: server.helloKey, to: &buffer)
        sender.sendFramed(buffer)
    }

    private func install(_ session: RelayLinkStateMachine.Session) {
        let keys = RelayKeys(secret: server.secret, initiatorNonce: session.initiatorNonce, responderNonce: session.responderNonce,
                             call: channel, isInitiator: session.isInitiator)
        sender.peerLinkID = session.peerLinkID
        sender.srtp = try? SRTPSession(profile: RelayKeys.profile, masterKey: keys.sendSRTP, direction: .outbound)
        inbound = try? SRTPSession(profile: RelayKeys.profile, masterKey: keys.receiveSRTP, direction: .inbound)
        sendStateKey = keys.sendState
        receiveStateKey = keys.receiveState
        sequenceIn = 0
    }

    // MARK: Inbound

    func receive(_ datagram: RelayServer.Inbound) {
        guard !isClosed, let call, !call.isClosed else { return }
        let now = Self.now()
        switch datagram {
        case .hello(let hello):
            perform(machine.helloReceived(hello, now: now, wallMilliseconds: Self.wallMilliseconds(), freshNonce: RelayHello.randomNonce))
        case .helloAck(let ack):
            perform(machine.ackReceived(ack, now: now))
        case .state(let buffer):
            guard let key = receiveStateKey, let (sequence, state) = RelayState.open(datagram: buffer, key: key),
                  sequence > sequenceIn
            else {
                server.metrics.dropped("bad-state")
                return
            }
            sequenceIn = sequence
            machine.heard(now: now)
            apply(state, to: call)
        case .srtp(var buffer):
            guard let inbound, (try? inbound.unprotectRTP(&buffer)) != nil else {
                server.metrics.dropped("srtp")
                return
            }
            machine.heard(now: now)
            packetsIn &+= 1
            bytesIn &+= buffer.readableBytes
            guard buffer.readableBytes >= 12, let ssrc = buffer.getInteger(at: buffer.readerIndex + 8, as: UInt32.self),
                  let participant = bySSRC[ssrc]
            else { return }
            call.publishedRTP(participant, buffer)
        case .srtcp(var buffer):
            guard let inbound, (try? inbound.unprotectRTCP(&buffer)) != nil else {
                server.metrics.dropped("srtp")
                return
            }
            machine.heard(now: now)
            feedback(buffer, call: call, now: now)
        }
    }

    /// Feedback from the peer about this edge's tracks: keyframe requests and NACKs go to the
    /// publisher (throttled like a local subscriber's); receiver reports and REMB end here
    /// (the peer chooses layers itself and asks only for those).
    private func feedback(_ buffer: ByteBuffer, call: Call<Transport>, now: UInt64) {
        var iterator = RTCPCompoundIterator(buffer)
        while let packet = try? iterator.next() {
            switch packet {
            case .pictureLossIndication(let pli):
                if let (producer, layer) = localLayer(ssrc: pli.mediaSSRC, in: call) { producer.requestKeyframe(layer: layer, now: now) }
            case .fullIntraRequest(let fir):
                for entry in fir.entries {
                    if let (producer, layer) = localLayer(ssrc: entry.ssrc, in: call) { producer.requestKeyframe(layer: layer, now: now) }
                }
            case .genericNack(let nack):
                guard let (producer, _) = localLayer(ssrc: nack.mediaSSRC, in: call) else { continue }
                let owner = producer.participant
                owner.sendPublisherFeedback(RTCPGenericNack(senderSSRC: owner.feedbackSSRC, mediaSSRC: nack.mediaSSRC,
                                                            items: RTCPNackItem.items(for: nack.lostSequenceNumbers)))
            default:
                continue
            }
        }
    }

    private func localLayer(ssrc: UInt32, in call: Call<Transport>) -> (Producer<Transport>, Int)? {
        for participant in call.participants where !participant.isRemote {
            if let route = participant.routes[ssrc], !route.isRTX, route.producer < participant.producers.count {
                return (participant.producers[route.producer], route.layer)
            }
        }
        return nil
    }
}
