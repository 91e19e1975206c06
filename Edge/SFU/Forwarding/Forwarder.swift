/// The pure per-consumer forwarding decision (the LiveKit `Forwarder` split): for each packet of
/// the producer it follows, drop or forward with rewritten sequence number, timestamp and VP8
/// picture id / TL0PICIDX, so the subscriber sees one continuous stream across layer switches,
/// mutes and pauses. Switches (and resumptions) happen only on a keyframe of the target layer;
/// until one arrives the current layer keeps flowing and `wantedKeyframeLayer` says which layer's
/// keyframe to ask for. VP8 temporal layers above `targetTemporalLayer` are dropped (going down
/// at the next picture, up only on a layer-sync picture: RFC 7741 §4.2 Y bit), with sequence
/// numbers and picture ids closed over the dropped packets and pictures so the subscriber sees
/// no gap. No I/O, no clock, no allocation.
public struct Forwarder: Sendable {
    /// RTP clock rate of the stream (90 000 for video, 48 000 for Opus).
    public let clockRate: UInt32
    /// The layer the subscriber should get; nil = none (quality "off", no layer fits).
    public private(set) var targetLayer: Int?
    /// The layer being forwarded; nil before the first keyframe and while paused.
    public private(set) var currentLayer: Int?
    public private(set) var isMuted = false
    /// The highest VP8 temporal layer to forward (`.max`: all) and the one forwarded now.
    public private(set) var targetTemporalLayer: UInt8 = .max
    public private(set) var currentTemporalLayer: UInt8 = .max

    private var started = false
    private var seqOffset: UInt16 = 0
    private var tsOffset: UInt32 = 0
    private var pictureIDOffset: UInt16 = 0
    private var tl0Offset: UInt8 = 0
    /// Input sequence number of the first packet forwarded from the current layer.
    private var switchSeq: UInt16 = 0
    private var lastSeq: UInt16 = 0
    private var lastTimestamp: UInt32 = 0
    private var lastPictureID: UInt16 = 0
    private var lastTL0: UInt8 = 0
    private var lastMarker = true
    private var lastArrival: UInt64 = 0
    /// Highest input sequence number seen on the current layer, and the packets and pictures
    /// dropped there by temporal filtering.
    private var highestInput: UInt16 = 0
    private var droppedSequences = DropHistory()
    private var droppedPictures = DropHistory()

    /// Where a forwarder's output stopped: the last sequence number, timestamp, picture id and
    /// TL0PICIDX it sent and when. A forwarder created with it continues that numbering, as if
    /// it had switched layers: a subscriber slot reused with the same SSRC by another track
    /// (`SubscribeSlot`) must not see the numbers jump back, or the receiver drops the new
    /// track's frames as older than those it decoded (Chromium's frame buffer does, until a
    /// keyframe's timestamp is ahead of the last one decoded).
    public struct Continuation: Hashable, Sendable {
        var sequenceNumber: UInt16
        var timestamp: UInt32
        var pictureID: UInt16
        var tl0PicIdx: UInt8
        var marker: Bool
        var arrival: UInt64
    }

    public init(clockRate: UInt32, targetLayer: Int? = 0, continuing previous: Continuation? = nil) {
        self.clockRate = clockRate
        self.targetLayer = targetLayer
        if let previous {
            started = true
            lastSeq = previous.sequenceNumber
            lastTimestamp = previous.timestamp
            lastPictureID = previous.pictureID
            lastTL0 = previous.tl0PicIdx
            lastMarker = previous.marker
            lastArrival = previous.arrival
        }
    }

    /// Where this forwarder's output stopped; nil before it forwarded anything.
    public var continuation: Continuation? {
        guard started else { return nil }
        return Continuation(sequenceNumber: lastSeq, timestamp: lastTimestamp, pictureID: lastPictureID,
                            tl0PicIdx: lastTL0, marker: lastMarker, arrival: lastArrival)
    }

    /// The layer whose keyframe the forwarder waits for (to start, switch or resume), if any.
    public var wantedKeyframeLayer: Int? {
        guard !isMuted, let targetLayer, targetLayer != currentLayer else { return nil }
        return targetLayer
    }

    /// What the forwarder adds to the current layer's RTP timestamps (changes on each switch).
    public var timestampOffset: UInt32 { tsOffset }

    public mutating func setTargetLayer(_ layer: Int?) {
        targetLayer = layer
        if layer == nil { currentLayer = nil }
    }

    /// Sets the highest temporal layer to forward (takes effect at the next picture going down,
    /// at the next layer-sync picture going up).
    public mutating func setTargetTemporalLayer(_ layer: UInt8) {
        targetTemporalLayer = layer
    }

    /// Mute stops forwarding; unmute resumes at the next keyframe (no renegotiation).
    public mutating func setMuted(_ muted: Bool) {
        isMuted = muted
        if muted { currentLayer = nil }
    }

    public mutating func decide(_ packet: ForwarderInput) -> ForwarderDecision {
        guard !isMuted, let targetLayer else { return .drop(.paused) }
        if let currentLayer, packet.layer == currentLayer {
            if rtpSequence(switchSeq, isNewerThan: packet.sequenceNumber) { return .drop(.beforeSwitch) }
            let inOrder = rtpSequence(packet.sequenceNumber, isNewerThan: highestInput)
            if inOrder { highestInput = packet.sequenceNumber }
            if let tid = packet.temporalLayer {
                if packet.isFrameStart, inOrder {
                    if tid > currentTemporalLayer, tid <= targetTemporalLayer, packet.layerSync {
                        currentTemporalLayer = tid
                    } else if targetTemporalLayer < currentTemporalLayer {
                        currentTemporalLayer = targetTemporalLayer
                    }
                }
                if tid > currentTemporalLayer {
                    dropTemporal(packet, inOrder: inOrder)
                    return .drop(.temporalLayer)
                }
            }
            return .forward(rewrite(packet, switchedTo: nil))
        }
        guard packet.layer == targetLayer else { return .drop(.otherLayer) }
        guard packet.isKeyframe else { return .drop(.awaitingKeyframe) }
        resync(to: packet)
        currentLayer = targetLayer
        currentTemporalLayer = targetTemporalLayer
        highestInput = packet.sequenceNumber
        droppedSequences.removeAll()
        droppedPictures.removeAll()
        return .forward(rewrite(packet, switchedTo: targetLayer))
    }

    /// Chooses offsets so that `packet` follows the last packet sent: the next sequence number
    /// (one more skipped when the last frame was cut short, so the decoder sees the gap), a
    /// timestamp advanced by the wall time elapsed (at least one tick), the next picture id and
    /// TL0PICIDX.
    private mutating func resync(to packet: ForwarderInput) {
        switchSeq = packet.sequenceNumber
        guard started else {
            started = true
            seqOffset = 0
            tsOffset = 0
            pictureIDOffset = 0
            tl0Offset = 0
            lastArrival = packet.arrival
            return
        }
        let nextSeq = lastSeq &+ (lastMarker ? 1 : 2)
        seqOffset = nextSeq &- packet.sequenceNumber
        let elapsed = packet.arrival > lastArrival ? packet.arrival - lastArrival : 0
        let ticks = UInt32(clamping: max(1, elapsed.multipliedReportingOverflow(by: UInt64(clockRate)).partialValue / 1_000_000_000))
        tsOffset = (lastTimestamp &+ ticks) &- packet.timestamp
        if let pictureID = packet.pictureID {
            pictureIDOffset = (lastPictureID &+ 1 &- pictureID) & packet.pictureIDMask
        }
        if let tl0 = packet.tl0PicIdx { tl0Offset = lastTL0 &+ 1 &- tl0 }
    }

    /// A packet of a filtered temporal layer: later packets move down by one sequence number,
    /// and by one picture id at each new dropped picture. A late packet (older than the newest
    /// seen) leaves the offsets alone: the numbers after it are already sent.
    private mutating func dropTemporal(_ packet: ForwarderInput, inOrder: Bool) {
        guard inOrder else { return }
        seqOffset &-= 1
        droppedSequences.record(packet.sequenceNumber)
        if let pictureID = packet.pictureID, pictureID != droppedPictures.newest {
            pictureIDOffset = (pictureIDOffset &- 1) & packet.pictureIDMask
            droppedPictures.record(pictureID)
        }
    }

    private mutating func rewrite(_ packet: ForwarderInput, switchedTo: Int?) -> ForwarderRewrite {
        // A late packet gets back the numbers dropped after it.
        let seq = packet.sequenceNumber &+ seqOffset
            &+ droppedSequences.countNewer(than: packet.sequenceNumber, mask: 0xFFFF)
        let timestamp = packet.timestamp &+ tsOffset
        let pictureID = packet.pictureID.map {
            ($0 &+ pictureIDOffset &+ droppedPictures.countNewer(than: $0, mask: packet.pictureIDMask)) & packet.pictureIDMask
        }
        let tl0 = packet.tl0PicIdx.map { $0 &+ tl0Offset }
        if switchedTo != nil || rtpSequence(seq, isNewerThan: lastSeq) {
            lastSeq = seq
            lastTimestamp = timestamp
            lastMarker = packet.marker
            lastArrival = packet.arrival
            if let pictureID { lastPictureID = pictureID }
            if let tl0 { lastTL0 = tl0 }
        }
        return ForwarderRewrite(sequenceNumber: seq, timestamp: timestamp, pictureID: pictureID, tl0PicIdx: tl0,
                                switchedToLayer: switchedTo)
    }
}
