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
    public private(set) var participants: [Participant<Transport>] = []
    public private(set) var isClosed = false
    let metrics: SFUMetrics
    var counters = CallCounters()
    var speakers = ActiveSpeakerDetector()
    private var nextTrack = 1
    private var timers: [RepeatedTask] = []
    private var lastBitrateTick: UInt64 = 0
    /// Called once when the last participant left (the registry forgets the call).
    var onClose: (() -> Void)?

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
    public func leave(_ id: String, reason: String? = nil) {
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
        leaving.pub.close()
        leaving.sub.close()
        if let reason { leaving.listener?.removed(reason: reason) }
        for other in participants {
            other.listener?.participant(leaving.info, joined: false)
            if !isClosed { renegotiate(other) }
        }
        if participants.isEmpty && !isClosed { close() }
    }

    /// Ends the call: every participant is removed (edge drain).
    public func close() {
        eventLoop.preconditionInEventLoop()
        guard !isClosed else { return }
        isClosed = true
        for participant in participants { leave(participant.id, reason: "the call has ended") }
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
        do {
            answer = try PublishAnswerBuilder.answer(to: offer, transport: participant.pub.localDescription,
                                                     sessionID: participant.sessionID, version: 1,
                                                     maxTracks: limits.maxTracksPerParticipant)
        } catch {
            throw CallError(.invalidSDP, error.reason)
        }
        if !participant.publishStarted, let first = offer.media(withMid: answer.media[0].mid) {
            participant.publishStarted = true
            participant.pub.start(remote: offer, section: first)
        }
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
            if !participant.subscribeStarted, let first = answer.media.first {
                participant.subscribeStarted = true
                participant.sub.start(remote: answer, section: first)
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
    }

    public func setQuality(_ participantID: String, track: String, quality: VideoQuality) throws(CallError) {
        eventLoop.preconditionInEventLoop()
        guard let participant = participant(participantID) else { throw CallError(.notJoined, "not in the call") }
        guard let consumer = participant.consumersByMid.values.first(where: { $0.producer.id == track }) else {
            throw CallError(.unknownTrack, "no track \(track) reaches you")
        }
        consumer.setQuality(quality, now: Self.now())
    }

    // MARK: Packets (called by the transports on the event loop)

    public func publishedRTP(_ participant: Participant<Transport>, _ buffer: ByteBuffer) {
        participant.receivePublishedRTP(buffer, now: Self.now())
    }

    public func publishedRTCP(_ participant: Participant<Transport>, _ buffer: ByteBuffer) {
        participant.receivePublishedRTCP(buffer, now: Self.now())
    }

    public func subscriberRTCP(_ participant: Participant<Transport>, _ buffer: ByteBuffer) {
        participant.receiveSubscriberRTCP(buffer, now: Self.now())
    }

    // MARK: Internals

    func subscribe(_ subscriber: Participant<Transport>, to producer: Producer<Transport>) {
        guard let codec = subscriber.payloadTypes.map(producer.media.codec) else { return }
        let ssrc = UInt32.random(in: 1...UInt32.max)
        let track = SubscribedTrack(streamID: producer.participant.id, trackID: producer.id, codec: codec, ssrc: ssrc,
                                    rtxSSRC: codec.rtxPayloadType == nil ? nil : ssrc &+ 1)
        let mid: String
        if let index = subscriber.slots.firstIndex(where: { $0.track == nil && $0.kind == producer.media.kind }) {
            subscriber.slots[index].track = track
            mid = subscriber.slots[index].mid
        } else {
            mid = String(subscriber.slots.count)
            subscriber.slots.append(SubscribeSlot(mid: mid, kind: producer.media.kind, track: track))
        }
        let consumer = Consumer(producer: producer, subscriber: subscriber, mid: mid, track: track)
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
            }
            if notify {
                subscriber.listener?.track(producer.info, of: owner.id, changed: .unpublished)
                renegotiate(subscriber)
            }
        }
        producer.consumers.removeAll()
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
    }

    func renegotiate(_ participant: Participant<Transport>) {
        guard !participant.slots.isEmpty else { return }
        perform(participant.negotiation.tracksChanged(), for: participant)
    }

    func perform(_ action: SubscribeNegotiationStateMachine.Action, for participant: Participant<Transport>) {
        guard case .sendOffer(let version) = action else { return }
        var slots = participant.slots
        if !participant.subscribeStarted {
            // The first offer carries at most one m-section per kind, the rest come in the
            // re-offer after the answer: aiortc 1.16 (default bundle policy "balanced") gives a
            // second m-section of a kind in an initial offer the transport of the first one of
            // that kind and then drops that transport when it applies BUNDLE, so the track never
            // receives anything. New m-sections in re-offers are bundled correctly.
            var kinds: Set<String> = []
            let prefix = slots.prefix { kinds.insert($0.kind).inserted }
            if prefix.count < slots.count {
                slots = Array(prefix)
                _ = participant.negotiation.tracksChanged()
            }
        }
        let offer = SubscribeOfferBuilder.offer(slots: slots, transport: participant.sub.localDescription,
                                                sessionID: participant.sessionID, version: version)
        participant.pendingOffer = offer
        participant.listener?.subscribeOffer(offer.serialized())
    }

    private func startTimers() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        lastBitrateTick = Self.now()
        timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(40), delay: .milliseconds(40)) { _ in
            bound.value.nackTick()
        })
        timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .milliseconds(500)) { _ in
            bound.value.speakerTick()
        })
        timers.append(eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            bound.value.reportTick()
        })
    }

    func nackTick() {
        let now = Self.now()
        for participant in participants {
            for producer in participant.producers where producer.media.kind == "video" { producer.sendDueNacks(now: now) }
        }
    }

    func speakerTick() {
        var levels: [(participant: String, meanLevel: Double, packets: Int)] = []
        for participant in participants {
            var best: (Double, Int)?
            for producer in participant.producers where producer.media.kind == "audio" && !producer.isMuted {
                let sample = producer.audioMeter.take()
                if best == nil || sample.meanLevel < best!.0 { best = (sample.meanLevel, sample.packets) }
            }
            if let best { levels.append((participant.id, best.0, best.1)) }
        }
        guard let ranking = speakers.update(levels) else { return }
        for participant in participants { participant.listener?.speakers(ranking) }
    }

    func reportTick() {
        let now = Self.now()
        let interval = now - lastBitrateTick
        lastBitrateTick = now
        let ntp = Self.ntpNow()
        for participant in participants {
            var blocks: [RTCPReportBlock] = []
            for producer in participant.producers {
                producer.measureBitrates(interval: interval)
                blocks += producer.reportBlocks(now: now)
            }
            if !participant.producers.isEmpty {
                // RRs make Chromium stop repeating mid/rid (SFU-NOTES §7); REMB sets its encoder's budget.
                participant.rtcpScratch.clear()
                RTCPReceiverReport(ssrc: participant.feedbackSSRC, reports: Array(blocks.prefix(31)))
                    .write(to: &participant.rtcpScratch)
                let videoSSRCs = participant.producers.filter { $0.media.kind == "video" }.flatMap { $0.layers.compactMap(\.ssrc) }
                if !videoSSRCs.isEmpty {
                    RTCPReceiverEstimatedMaxBitrate(senderSSRC: participant.feedbackSSRC, bitrate: limits.publisherMaxBitrate,
                                                    ssrcs: videoSSRCs).write(to: &participant.rtcpScratch)
                }
                participant.pub.sendRTCP(&participant.rtcpScratch)
            }
            var reported = false
            participant.rtcpScratch.clear()
            var forwarded: UInt64 = 0
            for consumer in participant.consumersByMid.values {
                forwarded &+= consumer.tickBytes
                consumer.tickBytes = 0
            }
            participant.forwardedBitrate = interval == 0 ? 0 : forwarded * 8 * 1_000_000_000 / interval
            for consumer in participant.consumersByMid.values {
                consumer.selectLayer(now: now)
                if let report = consumer.senderReport(ntp: ntp, now: now) {
                    report.write(to: &participant.rtcpScratch)
                    reported = true
                }
            }
            if reported { participant.sub.sendRTCP(&participant.rtcpScratch) }
        }
        counters.flush(to: metrics)
    }

    /// NTP time (RFC 5905: seconds since 1900 in the high 32 bits, fraction in the low 32).
    static func ntpNow() -> UInt64 {
        let since1970 = Date().timeIntervalSince1970
        let seconds = UInt64(since1970) + 2_208_988_800
        let fraction = UInt64((since1970 - since1970.rounded(.down)) * 4_294_967_296)
        return seconds << 32 | fraction
    }
}
