/// One m-section of a participant's `sub` connection. Its mid never changes; when its track goes
/// away the slot stays in the SDP as `inactive` and a later track of the same kind reuses it
/// (m-sections cannot be removed from a session: RFC 9429 §5.2.2) with the SSRCs and payload
/// types of its first track: aiortc 1.16 starts a receiver once, registering the SSRCs and
/// payload types of that first offer, and afterwards routes other SSRCs only by payload type
/// when a single receiver has it (`rtcrtpreceiver.py` `receive`, `rtcdtlstransport.py`
/// `RtpRouter.route_rtp`), so a reused slot with new SSRCs would never receive a packet.
public struct SubscribeSlot: Hashable, Sendable {
    public var mid: String
    public var kind: String
    public var track: SubscribedTrack?
    /// The SSRC (RTX: + 1) and codec of the slot's first track, kept for the tracks reusing it.
    public let ssrc: UInt32
    public let codec: NegotiatedCodec?
    /// Where the numbering of the slot's last track stopped (its forwarder's, and the RTX
    /// sequence): the next track on the slot continues it under the same SSRCs.
    public var continuation: SlotContinuation?

    public init(mid: String, kind: String, track: SubscribedTrack?) {
        self.mid = mid
        self.kind = kind
        self.track = track
        self.ssrc = track?.ssrc ?? 0
        self.codec = track?.codec
    }

    /// Whether a track with `codec` (this connection's payload types) may reuse the slot: same
    /// payload type and RTX payload type as its first track.
    public func accepts(_ codec: NegotiatedCodec) -> Bool {
        guard let first = self.codec, ssrc != 0 else { return false }
        return first.payloadType == codec.payloadType && first.rtxPayloadType == codec.rtxPayloadType
    }
}

/// What a track reusing a slot continues from the slot's previous track.
public struct SlotContinuation: Hashable, Sendable {
    public var forwarder: Forwarder.Continuation?
    public var rtxSequence: UInt16
    /// Sequence numbers the previous track left unsent before its last (lost on the way to this
    /// edge and never recovered: its publisher is gone), at most `maximumUnsent`, oldest first.
    public var unsent: [UInt16] = []
    public static let maximumUnsent = 64
    /// The previous track's sent packets (numbered as the slot goes on), so the subscriber's
    /// NACKs for its last packets are still answered; dropped from an idle slot after its
    /// `maxAge` (`Call.reportTick`), and `ended` says when that track stopped.
    public var cache: RetransmissionCache?
    public var ended: UInt64 = 0
}

/// A forwarded track as one subscriber receives it: its own SSRCs and payload types (one BUNDLE
/// needs one payload type per codec across all m-sections, so the publisher's are remapped).
public struct SubscribedTrack: Hashable, Sendable {
    /// `a=msid` stream id (the publishing participant) and track id.
    public var streamID: String
    public var trackID: String
    /// The codec with this subscriber's payload types.
    public var codec: NegotiatedCodec
    public var ssrc: UInt32
    public var rtxSSRC: UInt32?

    public init(streamID: String, trackID: String, codec: NegotiatedCodec, ssrc: UInt32, rtxSSRC: UInt32?) {
        self.streamID = streamID
        self.trackID = trackID
        self.codec = codec
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
    }
}

/// Payload types of one `sub` connection: Opus 111, VP8 96 (RTX 97), each H.264 profile its own
/// pair from 102; stable for the connection's life.
public struct SubscribePayloadTypes: Hashable, Sendable {
    private var h264Profiles: [String] = []

    public init() {}

    /// The subscriber-side copy of a publisher's codec: same name, clock, channels and fmtp,
    /// this connection's payload types; nil when the H.264 table is full.
    public mutating func map(_ codec: NegotiatedCodec) -> NegotiatedCodec? {
        var mapped = codec
        switch codec.name.lowercased() {
        case "opus":
            mapped.payloadType = 111
            mapped.rtxPayloadType = nil
        case "vp8":
            mapped.payloadType = 96
            mapped.rtxPayloadType = codec.rtxPayloadType == nil ? nil : 97
        case "h264":
            let profile = codec.h264Profile
            var index = h264Profiles.firstIndex(of: profile)
            if index == nil {
                guard h264Profiles.count < 8 else { return nil }
                h264Profiles.append(profile)
                index = h264Profiles.count - 1
            }
            mapped.payloadType = UInt8(102 + 2 * index!)
            mapped.rtxPayloadType = codec.rtxPayloadType == nil ? nil : mapped.payloadType + 1
        default:
            return nil
        }
        return mapped
    }
}
