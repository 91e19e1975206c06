/// Where a published track comes from (`rtc.track` `source`).
public enum TrackSource: String, Hashable, Sendable, Codable {
    case camera
    case microphone
    case screen
}

/// A track as the signaling describes it (`rtc.joined` participants' tracks, `rtc.track`).
public struct TrackInfo: Hashable, Sendable {
    public var id: String
    public var kind: String
    public var source: TrackSource
    public var muted: Bool
    public var simulcast: Bool

    public init(id: String, kind: String, source: TrackSource, muted: Bool, simulcast: Bool) {
        self.id = id
        self.kind = kind
        self.source = source
        self.muted = muted
        self.simulcast = simulcast
    }
}

/// The edge's answer on `pub` and the tracks it accepted, each with its m-section's mid (so the
/// publisher knows the ids `rtc.mute` takes).
public struct PublishResult: Hashable, Sendable {
    public struct Track: Hashable, Sendable {
        public var mid: String
        public var info: TrackInfo

        public init(mid: String, info: TrackInfo) {
            self.mid = mid
            self.info = info
        }
    }

    public var sdp: String
    public var tracks: [Track]

    public init(sdp: String, tracks: [Track]) {
        self.sdp = sdp
        self.tracks = tracks
    }
}

/// A participant as the signaling describes it.
public struct ParticipantInfo: Hashable, Sendable {
    public var id: String
    public var user: String
    public var tracks: [TrackInfo]

    public init(id: String, user: String, tracks: [TrackInfo]) {
        self.id = id
        self.user = user
        self.tracks = tracks
    }
}

/// A change to a track, for `rtc.track`.
public enum TrackState: String, Hashable, Sendable {
    case published
    case unpublished
    case muted
    case unmuted
}
