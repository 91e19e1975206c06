import Foundation
import NIOCore

/// A channel's call: its participants, their producers and consumers, and the call's timers
/// (NACKs every 40 ms; reports, REMB, layer choice and metrics every second; active speakers
/// every 500 ms). Everything runs on `eventLoop`: every method must be called there, and the
/// transports deliver packets there.
public final class Call<Transport: CallTransport> {
    public let channel: String
    public let eventLoop: any EventLoop
    public let limits: CallLimits
    public internal(set) var participants: [Participant<Transport>] = []
    public private(set) var isClosed = false
    let metrics: SFUMetrics
    var counters = CallCounters()
    var speakers = ActiveSpeakerDetector()
    var nextTrack = 1
    var timers: [RepeatedTask] = []
    var lastBitrateTick: UInt64 = 0
    /// Called once when the last participant left (the registry forgets the call).
    var onClose: (() -> Void)?
    /// The relay links to other edges (issue 14): told when tracks or needs change, closed with the call.
    var relays: [any CallRelayHook] = []
    /// Participants of this edge (not relayed from another).
    public var localParticipants: [Participant<Transport>] { participants.filter { !$0.isRemote } }

    public init(channel: String, eventLoop: any EventLoop, limits: CallLimits, metrics: SFUMetrics) {
        self.channel = channel
        self.eventLoop = eventLoop
        self.limits = limits
        self.metrics = metrics
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    public func participant(_ id: String) -> Participant<Transport>? {
        participants.first { $0.id == id }
    }

    // MARK: Membership

    /// Adds a participant; the others hear `joined`. Returns the others as they are now (for
    /// `rtc.joined`).
    public func join(id: String, user: String, pub: Transport, sub: Transport,
                     listener: any ParticipantListener) throws(CallError) -> [ParticipantInfo] {
        eventLoop.preconditionInEventLoop()
        guard !isClosed else { throw CallError(.closed, "the call has ended") }
        guard participant(id) == nil else { throw CallError(.alreadyJoined, "already in this call") }
        guard participants.count < limits.maxParticipants else {
            throw CallError(.callFull, "the call has \(limits.maxParticipants) participants")
        }
        let others = participants.map(\.info)
        let participant = Participant(id: id, user: user, pub: pub, sub: sub, listener: listener,
                                      feedbackSSRC: UInt32.random(in: 1...UInt32.max), sessionID: String(UInt64.random(in: 1...UInt64(Int64.max))))
        participant.call = self
        pub.attach(to: participant)
        sub.attach(to: participant)
        defer { relaysChanged() }
        for other in participants { other.listener?.participant(participant.info, joined: true) }
        participants.append(participant)
        metrics.participants.increment(by: 1)
        if participants.count == 1 {
            metrics.calls.increment(by: 1)
            startTimers()
        }
        // The newcomer subscribes to every track already published.
        for other in participants where other !== participant {
            for producer in other.producers { subscribe(participant, to: producer) }
        }
        renegotiate(participant)
        return others
    }

    /// Removes a participant (leave, WebSocket closed, transport gone): its tracks are
    /// unpublished, the others hear `left` and get a re-offer without them.
    public func leave(_ id: String, reason: String? = nil, rejoin: Bool = false) {
        eventLoop.preconditionInEventLoop()
        guard let index = participants.firstIndex(where: { $0.id == id }) else { return }
        let leaving = participants.remove(at: index)
        metrics.participants.decrement(by: 1)
        for producer in leaving.producers { unpublish(producer, notify: false) }
        for consumer in leaving.consumersByMid.values {
            consumer.producer.consumers.removeAll { $0 === consumer }
        }
        leaving.consumersByMid.removeAll()
        leaving.consumersBySSRC.removeAll()
        leaving.pub?.close()
        leaving.sub?.close()
        if let reason { leaving.listener?.removed(reason: reason, rejoin: rejoin) }
        for other in participants {
            other.listener?.participant(leaving.info, joined: false)
            if !isClosed { renegotiate(other) }
        }
        // Relayed participants alone do not keep a call open on this edge.
        if !isClosed && !participants.contains(where: { !$0.isRemote }) {
            close()
        } else if !isClosed {
            relaysChanged()
        }
    }

    /// Ends the call on this edge: every participant is removed, told to join again elsewhere
    /// (the edge drains; the call goes on on the other edges and wherever they rejoin).
    public func close() {
        eventLoop.preconditionInEventLoop()
        guard !isClosed else { return }
        isClosed = true
        for relay in relays { relay.callClosed() }
        relays.removeAll()
        for participant in participants {
            leave(participant.id, reason: "this edge is shutting down; join the call again through another edge", rejoin: true)
        }
        for timer in timers { timer.cancel() }
        timers.removeAll()
        metrics.calls.decrement(by: 1)
        counters.flush(to: metrics)
        onClose?()
        onClose = nil
    }

    // MARK: Publishing

    /// The client's offer on `pub`: answers it, creates producers for new m-sections, removes
    /// those no longer sent, and tells everyone. `sources` optionally names a source per mid.
    public func publish(_ participantID: String, offer text: String,
                        sources: [String: TrackSource] = [:]) throws(CallError) -> PublishResult {
        eventLoop.preconditionInEventLoop()
        guard let participant = participant(participantID) else { throw CallError(.notJoined, "not in the call") }
        let offer: SessionDescription
        let answer: PublishAnswer
        do {
            offer = try SessionDescription.parse(text)
        } catch {
            throw CallError(.invalidSDP, "line \(error.line): \(error.reason)")
        }
        guard let pub = participant.pub else { throw CallError(.notJoined, "a relayed participant publishes elsewhere") }
        do {
            answer = try PublishAnswerBuilder.answer(to: offer, transport: pub.localDescription,
                                                     sessionID: participant.sessionID, version: 1,
                                                     maxTracks: limits.maxTracksPerParticipant)
        } catch {
            throw CallError(.invalidSDP, error.reason)
        }
        if !participant.publishStarted, let first = offer.media(withMid: answer.media[0].mid) {
            participant.publishStarted = true
            participant.pub?.start(remote: offer, section: first)
        }
        defer { relaysChanged() }
        let accepted = Set(answer.media.map(\.mid))
        for producer in participant.producers where !accepted.contains(producer.media.mid) {
            unpublish(producer, notify: true)
        }
        var added: [Producer<Transport>] = []
        for media in answer.media where !participant.producers.contains(where: { $0.media.mid == media.mid }) {
            let source = sources[media.mid] ?? (media.kind == "audio" ? .microphone : .camera)
            let producer = Producer(id: "t\(nextTrack)", media: media, source: source, participant: participant)
            nextTrack += 1
            participant.producers.append(producer)
            added.append(producer)
        }
        participant.publishTransportCCID = participant.producers.lazy.map(\.media.extensionIDs.transportWideCC)
            .first { $0 != 0 } ?? 0
        rebuildRoutes(participant)
        // One re-offer per subscriber for all the new tracks.
        for other in participants where other !== participant && !added.isEmpty {
            for producer in added {
                other.listener?.track(producer.info, of: participant.id, changed: .published)
                subscribe(other, to: producer)
            }
            renegotiate(other)
        }
        return PublishResult(sdp: answer.sdp.serialized(),
                             tracks: participant.producers.map { .init(mid: $0.media.mid, info: $0.info) })
    }

    /// The client's answer on `sub`.
    public func subscribeAnswer(_ participantID: String, answer text: String) throws(CallError) {
        eventLoop.preconditionInEventLoop()
        guard let participant = participant(participantID) else { throw CallError(.notJoined, "not in the call") }
        guard let offer = participant.pendingOffer else { throw CallError(.noOfferPending, "no sub offer is waiting for an answer") }
        let answer: SessionDescription
        do {
            answer = try SessionDescription.parse(text)
            _ = try SubscribeOfferBuilder.checkAnswer(answer, to: offer)
        } catch let error as SDPParseError {
            throw CallError(.invalidSDP, "line \(error.line): \(error.reason)")
        } catch let error as NegotiationError {
            throw CallError(.invalidSDP, error.reason)
        } catch {
            throw CallError(.invalidSDP, "\(error)")
        }
        switch participant.negotiation.answerReceived() {
        case .unexpected:
            throw CallError(.noOfferPending, "no sub offer is waiting for an answer")
        case .apply(let then):
            participant.pendingOffer = nil
            participant.negotiatedSlots = offer.media.count
            // Forward only what the client now knows: the tracks this offer carried, each in its slot.
            let offered = Set(offer.media.flatMap { media in media.msids.map { "\(media.mid ?? "") \($0)" } })
            let now = Self.now()
            for consumer in participant.consumersByMid.values
            where offered.contains("\(consumer.mid) \(consumer.track.streamID) \(consumer.track.trackID)") {
                consumer.negotiated(now: now)
            }
            if !participant.subscribeStarted, let first = answer.media.first {
                participant.subscribeStarted = true
                // Transport-wide sequence numbers only when the subscriber kept the extension.
                let kept = answer.media.contains { section in
                    section.extmaps.contains { $0.uri == SDPExtMap.transportWideCCURI && $0.id == SFUCapabilities.subscribeTransportCCID }
                }
                participant.subscribeTransportCCID = kept ? SFUCapabilities.subscribeTransportCCID : 0
                participant.sub?.start(remote: answer, section: first)
            }
            perform(then, for: participant)
        }
    }

    public func setMuted(_ participantID: String, track: String, muted: Bool) throws(CallError) {
        eventLoop.preconditionInEventLoop()
        guard let participant = participant(participantID) else { throw CallError(.notJoined, "not in the call") }
        guard let producer = participant.producer(withID: track) else { throw CallError(.unknownTrack, "no track \(track) of yours") }
        guard producer.isMuted != muted else { return }
        producer.setMuted(muted)
        if !muted {
            let now = Self.now()
            for layer in producer.layers.indices { producer.requestKeyframe(layer: layer, now: now) }
        }
        for other in participants where other !== participant {
            other.listener?.track(producer.info, of: participant.id, changed: muted ? .muted : .unmuted)
        }
        relaysChanged()
    }

    public func setQuality(_ participantID: String, track: String, quality: VideoQuality) throws(CallError) {
        eventLoop.preconditionInEventLoop()
        guard let participant = participant(participantID) else { throw CallError(.notJoined, "not in the call") }
        guard let consumer = participant.consumersByMid.values.first(where: { $0.producer.id == track }) else {
            throw CallError(.unknownTrack, "no track \(track) reaches you")
        }
        consumer.setQuality(quality, now: Self.now())
        relaysChanged()
    }

    // MARK: Packets (called by the transports on the event loop)

    public func publishedRTP(_ participant: Participant<Transport>, _ buffer: ByteBuffer) {
        participant.receivePublishedRTP(buffer, now: Self.now())
    }

    public func publishedRTCP(_ participant: Participant<Transport>, _ buffer: ByteBuffer) {
        participant.receivePublishedRTCP(buffer, now: Self.now(), ntp: Self.ntpNow())
    }

    public func subscriberRTCP(_ participant: Participant<Transport>, _ buffer: ByteBuffer) {
        participant.receiveSubscriberRTCP(buffer, now: Self.now())
    }

    // MARK: Internals

    func subscribe(_ subscriber: Participant<Transport>, to producer: Producer<Transport>) {
        // A relayed participant subscribes on its own edge; two relayed tracks never meet here.
        guard !subscriber.isRemote, !(producer.participant.isRemote && subscriber.isRemote) else { return }
        guard let codec = subscriber.payloadTypes.map(producer.media.codec) else { return }
        // A free slot of the kind and payload types is reused with its SSRCs (SubscribeSlot.accepts).
        let free = subscriber.slots.firstIndex { $0.track == nil && $0.kind == producer.media.kind && $0.accepts(codec) }
        let ssrc = free.map { subscriber.slots[$0].ssrc } ?? UInt32.random(in: 1...UInt32.max)
        let track = SubscribedTrack(streamID: producer.participant.id, trackID: producer.id, codec: codec, ssrc: ssrc,
                                    rtxSSRC: codec.rtxPayloadType == nil ? nil : ssrc &+ 1)
        let mid: String
        if let index = free {
            subscriber.slots[index].track = track
            mid = subscriber.slots[index].mid
        } else {
            mid = String(subscriber.slots.count)
            subscriber.slots.append(SubscribeSlot(mid: mid, kind: producer.media.kind, track: track))
        }
        let consumer = Consumer(producer: producer, subscriber: subscriber, mid: mid, track: track,
                                continuing: free.flatMap { subscriber.slots[$0].continuation })
        if let free { subscriber.slots[free].continuation?.cache = nil }  // the consumer's ring now, not copied on write
        producer.consumers.append(consumer)
        subscriber.consumersByMid[mid] = consumer
        subscriber.consumersBySSRC[track.ssrc] = consumer
        if let rtx = track.rtxSSRC { subscriber.consumersBySSRC[rtx] = consumer }
        consumer.selectLayer(now: Self.now())
    }

    func unpublish(_ producer: Producer<Transport>, notify: Bool) {
        let owner = producer.participant
        owner.producers.removeAll { $0 === producer }
        rebuildRoutes(owner)
        for consumer in producer.consumers {
            let subscriber = consumer.subscriber
            subscriber.consumersByMid[consumer.mid] = nil
            subscriber.consumersBySSRC = subscriber.consumersBySSRC.filter { $0.value !== consumer }
            if let index = subscriber.slots.firstIndex(where: { $0.mid == consumer.mid }) {
                subscriber.slots[index].track = nil
                subscriber.slots[index].continuation = consumer.continuation(now: Self.now())
            }
            if notify {
                subscriber.listener?.track(producer.info, of: owner.id, changed: .unpublished)
                renegotiate(subscriber)
            }
        }
        producer.consumers.removeAll()
        producer.relayTaps.removeAll()
    }

    func rebuildRoutes(_ participant: Participant<Transport>) {
        participant.routes.removeAll()
        for (index, producer) in participant.producers.enumerated() {
            for (layer, state) in producer.layers.enumerated() {
                if let ssrc = state.ssrc { participant.routes[ssrc] = .init(producer: index, layer: layer, isRTX: false) }
                if let rtx = state.rtxSSRC { participant.routes[rtx] = .init(producer: index, layer: layer, isRTX: true) }
            }
        }
    }

    /// A producer's layers changed (an SSRC was learnt): its consumers re-choose.
    func layersChanged(_ producer: Producer<Transport>) {
        let now = Self.now()
        for consumer in producer.consumers { consumer.selectLayer(now: now) }
        // Peer edges learn the new SSRC (their relayed copy is routed by it).
        if !producer.participant.isRemote { relaysChanged() }
    }

    func renegotiate(_ participant: Participant<Transport>) {
        guard !participant.slots.isEmpty, !participant.isRemote, participant.sub != nil else { return }
        perform(participant.negotiation.tracksChanged(), for: participant)
    }

    func perform(_ action: SubscribeNegotiationStateMachine.Action, for participant: Participant<Transport>) {
        guard case .sendOffer(let version) = action else { return }
        var slots = participant.slots
        // At most one new m-section of a kind the client has none of yet (aiortc's bundling:
        // `SubscribeOfferBuilder.offerableCount`); the rest come in the re-offer after the answer.
        let count = SubscribeOfferBuilder.offerableCount(of: slots, negotiated: participant.negotiatedSlots)
        if count < slots.count {
            slots = Array(slots.prefix(count))
            _ = participant.negotiation.tracksChanged()
        }
        guard let sub = participant.sub else { return }
        let offer = SubscribeOfferBuilder.offer(slots: slots, transport: sub.localDescription,
                                                sessionID: participant.sessionID, version: version)
        participant.pendingOffer = offer
        participant.listener?.subscribeOffer(offer.serialized())
    }
}
