/// What a `Forwarder` knows of one incoming packet of the producer it follows: all it needs to
/// decide, read once by the caller from the packet (no buffer access inside the forwarder).
public struct ForwarderInput: Hashable, Sendable {
    /// Simulcast layer index (0 = lowest); 0 for a single-layer stream.
    public var layer: Int
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var marker: Bool
    /// Starts a keyframe (audio: always true).
    public var isKeyframe: Bool
    /// VP8 picture id and TL0PICIDX, when the descriptor carries them.
    public var pictureID: UInt16?
    public var pictureIDMask: UInt16
    public var tl0PicIdx: UInt8?
    /// VP8 temporal layer id (TID) and layer-sync bit (Y), when the descriptor carries them.
    public var temporalLayer: UInt8?
    public var layerSync: Bool
    /// First packet of a picture (VP8: S=1 and partition 0; always true when unknown).
    public var isFrameStart: Bool
    /// Arrival time in nanoseconds on a monotonic clock.
    public var arrival: UInt64

    public init(layer: Int = 0, sequenceNumber: UInt16, timestamp: UInt32, marker: Bool = false, isKeyframe: Bool,
                pictureID: UInt16? = nil, pictureIDMask: UInt16 = 0x7FFF, tl0PicIdx: UInt8? = nil,
                temporalLayer: UInt8? = nil, layerSync: Bool = false, isFrameStart: Bool = true, arrival: UInt64) {
        self.temporalLayer = temporalLayer
        self.layerSync = layerSync
        self.isFrameStart = isFrameStart
        self.layer = layer
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.marker = marker
        self.isKeyframe = isKeyframe
        self.pictureID = pictureID
        self.pictureIDMask = pictureIDMask
        self.tl0PicIdx = tl0PicIdx
        self.arrival = arrival
    }
}

/// The header values a forwarded packet gets on its way to one subscriber.
public struct ForwarderRewrite: Hashable, Sendable {
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var pictureID: UInt16?
    public var tl0PicIdx: UInt8?
    /// Set on the keyframe where the subscriber moved to this layer.
    public var switchedToLayer: Int?

    public init(sequenceNumber: UInt16, timestamp: UInt32, pictureID: UInt16? = nil, tl0PicIdx: UInt8? = nil,
                switchedToLayer: Int? = nil) {
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.pictureID = pictureID
        self.tl0PicIdx = tl0PicIdx
        self.switchedToLayer = switchedToLayer
    }
}

/// A forwarder's verdict on one packet; the sender applies it.
public enum ForwarderDecision: Hashable, Sendable {
    case forward(ForwarderRewrite)
    case drop(Reason)

    public enum Reason: Hashable, Sendable {
        /// Muted, quality "off", or no layer chosen.
        case paused
        /// Another layer than the one forwarded.
        case otherLayer
        /// The target layer, waiting for its keyframe.
        case awaitingKeyframe
        /// Older than the switch point of the current layer (would collide with sent numbers).
        case beforeSwitch
        /// A VP8 temporal layer above the one forwarded (`Forwarder.targetTemporalLayer`).
        case temporalLayer
    }
}
