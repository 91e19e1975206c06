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
    var lastSendTime: UInt64 = 0
    /// Bytes sent since the last 1 s tick (the subscriber's forwarded bitrate).
    var tickBytes: UInt64 = 0

    init(producer: Producer<Transport>, subscriber: Participant<Transport>, mid: String, track: SubscribedTrack) {
        self.producer = producer
        self.subscriber = subscriber
        self.mid = mid
        self.track = track
        let video = producer.media.kind == "video"
        self.forwarder = Forwarder(clockRate: producer.media.codec.clockRate, targetLayer: video ? nil : 0)
        self.cache = RetransmissionCache(capacity: video ? 1024 : 256, maxAge: video ? 2_000_000_000 : 1_000_000_000)
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
        let target = LayerSelector.select(bitrates: bitrates, estimate: subscriber.downlink.limit(now: now), quality: quality)
        if target != forwarder.targetLayer {
            if forwarder.currentLayer != nil, target != nil { subscriber.call?.counters.layerSwitched() }
            forwarder.setTargetLayer(target)
        }
        if let wanted = forwarder.wantedKeyframeLayer { producer.requestKeyframe(layer: wanted, now: now) }
    }

    func forward(_ packet: RTPPacket, input: ForwarderInput, descriptor: VP8PayloadDescriptor?, now: UInt64) {
        switch forwarder.decide(input) {
        case .drop(let reason):
            if reason == .awaitingKeyframe, let wanted = forwarder.wantedKeyframeLayer {
                producer.requestKeyframe(layer: wanted, now: now)
            }
        case .forward(let rewrite):
            scratch.clear()
            scratch.writeImmutableBuffer(packet.buffer)
            let base = scratch.readerIndex
            scratch.setInteger(rewrite.sequenceNumber, at: base + 2)
            scratch.setInteger(rewrite.timestamp, at: base + 4)
            scratch.setInteger(track.ssrc, at: base + 8)
            scratch.setInteger((packet.marker ? 0x80 : 0) | (track.codec.payloadType & 0x7F), at: base + 1)
            packet.writeRemappedExtensionIDs(extensionMap, into: &scratch)
            if absSendTimeID != 0, let value = packet.headerExtensionValue(id: absSendTimeID), value.length == 3 {
                let time = AbsoluteSendTime.value(nanoseconds: now)
                scratch.setInteger(UInt8(truncatingIfNeeded: time >> 16), at: base + value.offset)
                scratch.setInteger(UInt16(truncatingIfNeeded: time), at: base + value.offset + 1)
            }
            if let descriptor {
                descriptor.rewrite(&scratch, payloadOffset: base + packet.headerLength, pictureID: rewrite.pictureID,
                                   tl0PicIdx: rewrite.tl0PicIdx)
            }
            cache.store(scratch, sequenceNumber: rewrite.sequenceNumber, now: now)
            packetsSent &+= 1
            octetsSent &+= UInt32(truncatingIfNeeded: packet.payloadLength)
            lastTimestamp = rewrite.timestamp
            lastSendTime = now
            let bytes = scratch.readableBytes
            tickBytes &+= UInt64(bytes)
            subscriber.sub.sendRTP(&scratch)
            if let call = subscriber.call, call.counters.forwarded(bytes: bytes) {
                let sent = Call<Transport>.now()
                call.counters.sampleLatency(sent > input.arrival ? sent - input.arrival : 0)
            }
        }
    }

    /// Answers the subscriber's NACK: resends what the cache still has, as RTX when negotiated.
    func retransmit(_ sequenceNumbers: [UInt16], now: UInt64) {
        for sequence in sequenceNumbers {
            guard cache.retrieve(sequence, now: now, into: &rtxScratch) else { continue }
            if let rtxSSRC = track.rtxSSRC, let rtxPT = track.codec.rtxPayloadType,
               let original = try? RTPPacket.parse(rtxScratch) {
                rtxSequence &+= 1
                RTXPacket.wrap(original, ssrc: rtxSSRC, payloadType: rtxPT, sequenceNumber: rtxSequence, into: &scratch)
                subscriber.sub.sendRTP(&scratch)
            } else {
                subscriber.sub.sendRTP(&rtxScratch)
            }
            subscriber.call?.counters.retransmitted()
        }
    }

    /// The subscriber asked for a keyframe (PLI/FIR): ask the publisher for the layer forwarded.
    func keyframeRequested(now: UInt64) {
        producer.requestKeyframe(layer: forwarder.currentLayer ?? forwarder.targetLayer ?? 0, now: now)
    }

    /// RFC 3550 §6.4.1 sender report for this stream at wall-clock `ntp`.
    func senderReport(ntp: UInt64, now: UInt64) -> RTCPSenderReport? {
        guard packetsSent > 0 else { return nil }
        let elapsed = now > lastSendTime ? now - lastSendTime : 0
        let ticks = UInt32(truncatingIfNeeded: elapsed * UInt64(producer.media.codec.clockRate) / 1_000_000_000)
        return RTCPSenderReport(ssrc: track.ssrc, ntpTimestamp: ntp, rtpTimestamp: lastTimestamp &+ ticks,
                                packetCount: packetsSent, octetCount: octetsSent)
    }
}
