import NIOCore

/// One track a participant publishes: up to three simulcast layers, each with its own SSRC,
/// loss detection (NACK upstream), keyframe-request throttle and bitrate meter; and the
/// consumers that forward it to the other participants.
public final class Producer<Transport: CallTransport> {
    /// Per-layer receive state.
    struct Layer {
        var ssrc: UInt32?
        var rtxSSRC: UInt32?
        var nack = NackGenerator()
        var throttle = KeyframeRequestThrottle()
        /// Bytes since the last bitrate tick, and the last measured bits/s.
        var bytes: UInt64 = 0
        var bitrate: UInt64 = 0
        var packets: UInt64 = 0
        var highestSequence: UInt16 = 0
        var cycles: UInt32 = 0
        var firstSequence: UInt16?
        /// Middle 32 bits of the last SR's NTP time and when it arrived (RFC 3550 §6.4.1 LSR/DLSR).
        var lastSR: UInt32 = 0
        var lastSRArrival: UInt64 = 0
        /// The last SR's full NTP and RTP times (0: none yet), for subscribers' sender reports.
        var senderNTP: UInt64 = 0
        var senderRTP: UInt32 = 0
    }

    public let id: String
    public let media: PublishedMedia
    public let source: TrackSource
    public private(set) var isMuted = false
    unowned let participant: Participant<Transport>
    let videoCodec: VideoCodec?
    var layers: [Layer]
    var consumers: [Consumer<Transport>] = []
    /// Relay links that carry some of this track's layers to other edges.
    var relayTaps: [RelayTap] = []
    /// For a remote track: the bits/s per layer its publishing edge measures (layer choice uses
    /// them, since only the layers needed here are relayed).
    var advertisedBitrates: [UInt64]?
    var audioMeter = AudioLevelMeter()
    /// Reused for RTX unwrapping.
    var scratch = ByteBuffer()
    var nackScratch: [UInt16] = []

    init(id: String, media: PublishedMedia, source: TrackSource, participant: Participant<Transport>) {
        self.id = id
        self.media = media
        self.source = source
        self.participant = participant
        self.videoCodec = media.codec.videoCodec
        let count = max(1, media.rids.count)
        self.layers = Array(repeating: Layer(), count: count)
        if !media.isSimulcast, let ssrc = media.ssrcs.first {
            layers[0].ssrc = ssrc
            layers[0].rtxSSRC = media.rtxSSRCs[ssrc]
        }
        scratch.reserveCapacity(1500)
    }

    public var info: TrackInfo {
        TrackInfo(id: id, kind: media.kind, source: source, muted: isMuted, simulcast: media.isSimulcast)
    }

    /// Measured bits/s per layer (0 for a layer not flowing), for layer selection.
    var layerBitrates: [UInt64] { advertisedBitrates ?? layers.map(\.bitrate) }

    func setMuted(_ muted: Bool) {
        isMuted = muted
        for consumer in consumers { consumer.forwarder.setMuted(muted) }
    }

    /// A media packet of `layer` (already unwrapped if it came as RTX).
    func receive(_ packet: RTPPacket, layer: Int, now: UInt64) {
        let sequence = packet.sequenceNumber
        layers[layer].nack.received(sequence)
        layers[layer].packets &+= 1
        layers[layer].bytes &+= UInt64(packet.buffer.readableBytes)
        if let first = layers[layer].firstSequence {
            if rtpSequence(sequence, isNewerThan: layers[layer].highestSequence) {
                if sequence < layers[layer].highestSequence { layers[layer].cycles &+= 1 }
                layers[layer].highestSequence = sequence
            }
            _ = first
        } else {
            layers[layer].firstSequence = sequence
            layers[layer].highestSequence = sequence
        }
        if media.extensionIDs.audioLevel != 0, let value = packet.headerExtension(id: media.extensionIDs.audioLevel),
           let level = AudioLevelMeter.level(fromExtension: value) {
            audioMeter.record(level)
        }
        if !relayTaps.isEmpty && !isMuted {
            let bit = UInt8(truncatingIfNeeded: 1 << min(layer, 7))
            for tap in relayTaps where tap.layers & bit != 0 { tap.forward(packet.buffer) }
        }
        guard !consumers.isEmpty else { return }
        var input = ForwarderInput(layer: layer, sequenceNumber: sequence, timestamp: packet.timestamp,
                                   marker: packet.marker, isKeyframe: true, arrival: now)
        var descriptor: VP8PayloadDescriptor?
        if let videoCodec {
            let payload = packet.payload
            switch videoCodec {
            case .vp8:
                descriptor = VP8PayloadDescriptor.parse(payload)
                input.isKeyframe = descriptor?.isKeyframeStart(in: payload) ?? false
                input.pictureID = descriptor?.pictureID
                input.pictureIDMask = descriptor?.pictureIDMask ?? 0x7FFF
                input.tl0PicIdx = descriptor?.tl0PicIdx
                input.temporalLayer = descriptor?.temporalLayer
                input.layerSync = descriptor?.layerSync ?? false
                input.isFrameStart = descriptor.map { $0.startOfPartition && $0.partitionID == 0 } ?? true
            case .h264:
                input.isKeyframe = KeyframeDetector.isH264Keyframe(payload)
            }
            if input.isKeyframe { layers[layer].throttle.keyframeReceived() }
        }
        for consumer in consumers {
            consumer.forward(packet, input: input, descriptor: descriptor, now: now)
        }
    }

    /// Asks the publisher for a keyframe on `layer` (PLI), at most once per throttle interval.
    func requestKeyframe(layer: Int, now: UInt64) {
        guard layer < layers.count, let ssrc = layers[layer].ssrc, layers[layer].throttle.shouldRequest(now: now) else {
            return
        }
        participant.sendPublisherFeedback(RTCPPictureLossIndication(senderSSRC: participant.feedbackSSRC, mediaSSRC: ssrc))
        participant.call?.counters.keyframeRequested()
    }

    /// NACKs the publisher for this producer's missing packets (the 40 ms tick).
    func sendDueNacks(now: UInt64) {
        for index in layers.indices {
            guard let ssrc = layers[index].ssrc else { continue }
            layers[index].nack.due(now: now, into: &nackScratch)
            guard !nackScratch.isEmpty else { continue }
            participant.sendPublisherFeedback(RTCPGenericNack(senderSSRC: participant.feedbackSSRC, mediaSSRC: ssrc,
                                                              items: RTCPNackItem.items(for: nackScratch)))
            participant.call?.counters.nacksSent(nackScratch.count)
        }
    }

    /// Receiver report blocks for this producer's layers (RFC 3550 §6.4.2; loss from the
    /// extended sequence range).
    func reportBlocks(now: UInt64) -> [RTCPReportBlock] {
        layers.compactMap { layer in
            guard let ssrc = layer.ssrc, let first = layer.firstSequence else { return nil }
            let extended = layer.cycles << 16 | UInt32(layer.highestSequence)
            let expected = Int64(extended) - Int64(first) + 1
            let lost = max(0, expected - Int64(layer.packets))
            let delay = layer.lastSRArrival == 0 ? 0 : UInt32(truncatingIfNeeded: (now - layer.lastSRArrival) * 65_536 / 1_000_000_000)
            return RTCPReportBlock(ssrc: ssrc, cumulativeLost: Int32(clamping: lost), extendedHighestSequenceNumber: extended,
                                   jitter: 0, lastSenderReport: layer.lastSR, delaySinceLastSenderReport: delay)
        }
    }

    /// The 1 s tick: bitrates per layer.
    func measureBitrates(interval: UInt64) {
        for index in layers.indices {
            layers[index].bitrate = interval == 0 ? 0 : layers[index].bytes * 8 * 1_000_000_000 / interval
            layers[index].bytes = 0
        }
    }
}
