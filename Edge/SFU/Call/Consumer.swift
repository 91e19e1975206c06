import NIOCore

/// One producer's track as one subscriber receives it: the pure `Forwarder` decides, this
/// applies (rewrites a copy of the packet in a reused buffer, keeps it for NACKs, sends it on
/// the subscriber's `sub` transport), answers the subscriber's NACKs (RTX when negotiated) and
/// keyframe requests, and writes sender reports.
public final class Consumer<Transport: CallTransport> {
    unowned let producer: Producer<Transport>
    unowned let subscriber: Participant<Transport>
    let track: SubscribedTrack
    let mid: String
    var forwarder: Forwarder
    var cache: RetransmissionCache
    public private(set) var quality: VideoQuality = .high
    let extensionMap: ExtensionIDMap
    let absSendTimeID: UInt8
    var scratch: ByteBuffer
    var rtxScratch: ByteBuffer
    var rtxSequence: UInt16 = 0
    var packetsSent: UInt32 = 0
    var octetsSent: UInt32 = 0
    var lastTimestamp: UInt32 = 0
    var firstSequence: UInt16 = 0
    var lastSequence: UInt16 = 0
    var lastSendTime: UInt64 = 0
    /// Sequence numbers the slot's previous track left unsent, filled with padding before this
    /// track's first packet (`sendFills`), and that track's last timestamp for them.
    var fills: [UInt16]
    let fillTimestamp: UInt32
    /// Bytes sent since the last 1 s tick (the subscriber's forwarded bitrate).
    var tickBytes: UInt64 = 0
    /// Whether the subscriber has applied an offer carrying this track: until then nothing is
    /// sent (a client given packets of an SSRC it does not know yet may route them to another
    /// receiver of the same payload type: aiortc does, SFU-NOTES §3).
    var isNegotiated = false

    init(producer: Producer<Transport>, subscriber: Participant<Transport>, mid: String, track: SubscribedTrack,
         continuing previous: SlotContinuation?) {
        self.producer = producer
        self.subscriber = subscriber
        self.mid = mid
        self.track = track
        let video = producer.media.kind == "video"
        self.forwarder = Forwarder(clockRate: producer.media.codec.clockRate, targetLayer: video ? nil : 0,
                                   continuing: previous?.forwarder)
        self.rtxSequence = previous?.rtxSequence ?? 0
        self.fills = previous?.unsent ?? []
        self.fillTimestamp = previous?.forwarder?.timestamp ?? 0
        self.cache = previous?.cache ?? RetransmissionCache(capacity: video ? 1024 : 256,
                                                            maxAge: video ? 2_000_000_000 : 1_000_000_000)
        var map = ExtensionIDMap(fallback: SFUCapabilities.subscribeIgnoredID)
        let ids = producer.media.extensionIDs
        if ids.audioLevel != 0 { map.map(ids.audioLevel, to: SFUCapabilities.subscribeAudioLevelID) }
        if ids.absSendTime != 0 { map.map(ids.absSendTime, to: SFUCapabilities.subscribeAbsSendTimeID) }
        self.extensionMap = map
        self.absSendTimeID = ids.absSendTime
        self.scratch = ByteBuffer()
        self.scratch.reserveCapacity(1500)
        self.rtxScratch = ByteBuffer()
        self.rtxScratch.reserveCapacity(1500)
        forwarder.setMuted(producer.isMuted)
    }

    var isVideo: Bool { producer.videoCodec != nil }

    /// Where this consumer's numbering stopped, for the next track on its slot (with its
    /// retransmission ring: the same numbers go on there).
    func continuation(now: UInt64) -> SlotContinuation {
        let unsent = packetsSent == 0 ? fills : cache.unsent(from: firstSequence, through: lastSequence)
        return SlotContinuation(forwarder: forwarder.continuation, rtxSequence: rtxSequence,
                                unsent: Array(unsent.suffix(SlotContinuation.maximumUnsent)), cache: cache, ended: now)
    }

    func setQuality(_ quality: VideoQuality, now: UInt64) {
        self.quality = quality
        selectLayer(now: now)
    }

    /// Re-chooses the layer from the subscriber's downlink estimate and preference.
    func selectLayer(now: UInt64) {
        guard isVideo else { return }
        var bitrates = producer.layerBitrates
        if bitrates.allSatisfy({ $0 == 0 }) {
            // Nothing measured yet: assume every layer that has an SSRC flows.
            bitrates = producer.layers.indices.map { index in
                producer.layers[index].ssrc == nil && producer.media.isSimulcast ? 0
                    : LayerSelector.defaultBitrates[min(index, LayerSelector.defaultBitrates.count - 1)]
            }
        }
        let limit = subscriber.downlink.limit(now: now)
        let target = LayerSelector.select(bitrates: bitrates, estimate: limit, quality: quality)
        if target != forwarder.targetLayer {
            if forwarder.currentLayer != nil, target != nil { subscriber.call?.counters.layerSwitched() }
            forwarder.setTargetLayer(target)
        }
        // Even the chosen layer does not fit: thin it out by temporal layers (VP8 with TIDs).
        let temporal = target.map { LayerSelector.temporalLayer(bitrate: bitrates[$0], estimate: limit) } ?? .max
        if temporal != forwarder.targetTemporalLayer { forwarder.setTargetTemporalLayer(temporal) }
        if let wanted = forwarder.wantedKeyframeLayer { producer.requestKeyframe(layer: wanted, now: now) }
    }

    func forward(_ packet: RTPPacket, input: ForwarderInput, descriptor: VP8PayloadDescriptor?, now: UInt64) {
        guard isNegotiated else { return }
        switch forwarder.decide(input) {
        case .drop(let reason):
            if reason == .awaitingKeyframe, let wanted = forwarder.wantedKeyframeLayer {
                producer.requestKeyframe(layer: wanted, now: now)
            }
        case .forward(let rewrite):
            if !fills.isEmpty { sendFills(now: now) }
            let transportCC = subscriber.subscribeTransportCCID
            let headerLength = packet.copy(into: &scratch, remapping: extensionMap, transportSequenceID: transportCC,
                                           transportSequence: subscriber.bandwidth.nextSequence)
            if transportCC != 0 { _ = subscriber.bandwidth.packetSent(size: scratch.readableBytes, now: now) }
            let base = scratch.readerIndex
            scratch.setInteger(rewrite.sequenceNumber, at: base + 2)
            scratch.setInteger(rewrite.timestamp, at: base + 4)
            scratch.setInteger(track.ssrc, at: base + 8)
            scratch.setInteger((packet.marker ? 0x80 : 0) | (track.codec.payloadType & 0x7F), at: base + 1)
            if absSendTimeID != 0, let value = packet.headerExtensionValue(id: absSendTimeID), value.length == 3 {
                let time = AbsoluteSendTime.value(nanoseconds: now)
                scratch.setInteger(UInt8(truncatingIfNeeded: time >> 16), at: base + value.offset)
                scratch.setInteger(UInt16(truncatingIfNeeded: time), at: base + value.offset + 1)
            }
            if let descriptor {
                descriptor.rewrite(&scratch, payloadOffset: base + headerLength, pictureID: rewrite.pictureID,
                                   tl0PicIdx: rewrite.tl0PicIdx)
            }
            cache.store(scratch, sequenceNumber: rewrite.sequenceNumber, now: now)
            packetsSent &+= 1
            octetsSent &+= UInt32(truncatingIfNeeded: packet.payloadLength)
            if packetsSent == 1 { firstSequence = rewrite.sequenceNumber }
            if packetsSent == 1 || rtpSequence(rewrite.sequenceNumber, isNewerThan: lastSequence) {
                lastSequence = rewrite.sequenceNumber
                lastTimestamp = rewrite.timestamp
                lastSendTime = now
            }
            let bytes = scratch.readableBytes
            tickBytes &+= UInt64(bytes)
            subscriber.sub?.sendRTP(&scratch)
            if let call = subscriber.call, call.counters.forwarded(bytes: bytes) {
                let sent = Call<Transport>.now()
                call.counters.sampleLatency(sent > input.arrival ? sent - input.arrival : 0)
            }
        }
    }

    /// Padding-only RTP packets (RFC 3550 §5.1) in place of the sequence numbers the slot's
    /// previous track left unsent, before this track's first packet: a receiver that assembles
    /// frames in sequence order waits on a missing number until it gives up (aiortc's video
    /// jitter buffer: 512 packets, 17 s at 30 packets/s). Kept in the ring, so a lost fill is
    /// resent like any packet.
    private func sendFills(now: UInt64) {
        for sequence in fills {
            rtxScratch.clear()
            rtxScratch.writeInteger(UInt8(0xA0))  // V=2, P=1
            rtxScratch.writeInteger(track.codec.payloadType & 0x7F)
            rtxScratch.writeInteger(sequence)
            rtxScratch.writeInteger(fillTimestamp)
            rtxScratch.writeInteger(track.ssrc)
            rtxScratch.writeBytes([0, 0, 0, 4])  // padding only: 4 octets, the last one their count
            cache.store(rtxScratch, sequenceNumber: sequence, now: now)
            subscriber.sub?.sendRTP(&rtxScratch)
        }
        subscriber.call?.counters.paddingFilled(fills.count)
        fills.removeAll()
    }

    /// The subscriber applied an offer carrying this track: forwarding starts (at a keyframe,
    /// which the forwarder asks for).
    func negotiated(now: UInt64) {
        guard !isNegotiated else { return }
        isNegotiated = true
        selectLayer(now: now)
    }

    /// Answers the subscriber's NACK: resends what the cache still has, as RTX when negotiated.
    func retransmit(_ sequenceNumbers: [UInt16], now: UInt64) {
        for sequence in sequenceNumbers {
            guard cache.retrieve(sequence, now: now, into: &rtxScratch) else { continue }
            if let rtxSSRC = track.rtxSSRC, let rtxPT = track.codec.rtxPayloadType,
               let original = try? RTPPacket.parse(rtxScratch) {
                rtxSequence &+= 1
                RTXPacket.wrap(original, ssrc: rtxSSRC, payloadType: rtxPT, sequenceNumber: rtxSequence, into: &scratch)
                stampTransportSequence(&scratch, now: now)
                subscriber.sub?.sendRTP(&scratch)
            } else {
                stampTransportSequence(&rtxScratch, now: now)
                subscriber.sub?.sendRTP(&rtxScratch)
            }
            subscriber.call?.counters.retransmitted()
        }
    }

    /// A resent packet gets a transport-wide sequence number of its own (every packet sent is
    /// reported once in transport-cc feedback).
    private func stampTransportSequence(_ buffer: inout ByteBuffer, now: UInt64) {
        let id = subscriber.subscribeTransportCCID
        guard id != 0, let value = (try? RTPPacket.parse(buffer))?.headerExtensionValue(id: id), value.length == 2 else {
            return
        }
        let sequence = subscriber.bandwidth.packetSent(size: buffer.readableBytes, now: now)
        buffer.setInteger(sequence, at: buffer.readerIndex + value.offset)
    }

    /// The subscriber asked for a keyframe (PLI/FIR): ask the publisher for the layer forwarded.
    func keyframeRequested(now: UInt64) {
        producer.requestKeyframe(layer: forwarder.currentLayer ?? forwarder.targetLayer ?? 0, now: now)
    }

    /// RFC 3550 §6.4.1 sender report for this stream at wall-clock `ntp`: the RTP time is mapped
    /// through the publisher's SR of the layer forwarded now and the forwarder's offset for it
    /// (`SenderReportClock`); before the publisher sent one, extrapolated from the last packet
    /// sent (its timestamp plus the time since).
    func senderReport(ntp: UInt64, now: UInt64) -> RTCPSenderReport? {
        guard packetsSent > 0 else { return nil }
        let clockRate = producer.media.codec.clockRate
        let rtp: UInt32
        if let layer = forwarder.currentLayer, layer < producer.layers.count, producer.layers[layer].senderNTP != 0,
           let offset = producer.participant.clockOffset {
            rtp = SenderReportClock.rtpTimestamp(at: ntp, senderNTP: producer.layers[layer].senderNTP,
                                                 senderRTP: producer.layers[layer].senderRTP, clockOffset: offset,
                                                 clockRate: clockRate, forwarderOffset: forwarder.timestampOffset)
        } else {
            let elapsed = now > lastSendTime ? now - lastSendTime : 0
            rtp = lastTimestamp &+ UInt32(truncatingIfNeeded: elapsed * UInt64(clockRate) / 1_000_000_000)
        }
        return RTCPSenderReport(ssrc: track.ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp,
                                packetCount: packetsSent, octetCount: octetsSent)
    }
}
