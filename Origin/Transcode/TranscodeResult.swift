/// One variant stream of a finished ladder, as advertised in `master.m3u8`.
public struct TranscodeRendition: Hashable, Sendable, Codable {
    /// The rung name and folder, e.g. "720p".
    public var name: String
    /// Picture width in pixels.
    public var width: Int
    /// Picture height in pixels.
    public var height: Int
    /// `BANDWIDTH`: peak segment bit rate in bits per second, measured from the segments.
    public var bandwidth: Int
    /// `AVERAGE-BANDWIDTH`: total segment bits over the duration.
    public var averageBandwidth: Int
    /// `CODECS`, e.g. `avc1.64001f,mp4a.40.2`.
    public var codecs: String
    /// Frames per second.
    public var frameRate: Double

    /// Creates a rendition description.
    public init(name: String, width: Int, height: Int, bandwidth: Int, averageBandwidth: Int, codecs: String,
                frameRate: Double) {
        self.name = name
        self.width = width
        self.height = height
        self.bandwidth = bandwidth
        self.averageBandwidth = averageBandwidth
        self.codecs = codecs
        self.frameRate = frameRate
    }
}

/// What `Transcoder` produced in the output directory.
public struct TranscodeResult: Hashable, Sendable, Codable {
    /// Renditions, highest first.
    public var renditions: [TranscodeRendition]
    /// Duration of the top rendition in seconds (sum of its segment durations).
    public var duration: Double
    /// Whether the renditions carry an AAC audio track.
    public var hasAudio: Bool
    /// Every file written, relative to the output directory, sorted: `master.m3u8`,
    /// `poster.jpg`, and per rendition `index.m3u8`, `init.mp4` and `seg_NNNNN.m4s`.
    public var files: [String]
    /// The master playlist, relative to the output directory (`master.m3u8`).
    public var masterPlaylist: String
    /// The poster image, relative to the output directory (`poster.jpg`).
    public var poster: String

    /// Creates a result.
    public init(renditions: [TranscodeRendition], duration: Double, hasAudio: Bool, files: [String],
                masterPlaylist: String, poster: String) {
        self.renditions = renditions
        self.duration = duration
        self.hasAudio = hasAudio
        self.files = files
        self.masterPlaylist = masterPlaylist
        self.poster = poster
    }
}
