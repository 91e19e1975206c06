import StreamLyOriginNative

/// Settings of the VOD ladder. A `Sendable` value built once (e.g. from the origin's
/// configuration) and passed to `Transcoder`.
public struct TranscodeConfiguration: Hashable, Sendable, Codable {
    /// Candidate rungs; those taller than the source are skipped.
    public var rungs: [TranscodeRung]
    /// x264 preset, e.g. "veryfast" (speed) or "medium" (size).
    public var preset: String
    /// Segment length in seconds; every rung gets an IDR frame at each multiple of it.
    public var segmentDuration: Double
    /// AAC bitrate in bits per second.
    public var audioBitrate: Int
    /// AAC sample rate; audio is always encoded as stereo.
    public var audioSampleRate: Int
    /// Where in the video the poster frame is taken, as a fraction of the duration.
    public var posterPosition: Double
    /// The poster is the top rung's size, scaled down to at most this width.
    public var posterMaxWidth: Int
    /// Names of the demuxers accepted as input (libavformat short names, e.g. "mov", "matroska").
    /// Anything else, e.g. a text file that probes as `tty`, is rejected as `.invalidMedia`.
    public var acceptedInputFormats: Set<String>
    /// Bounds on the picture size, duration, frame rate and decoding work of an input.
    public var limits: MediaLimits

    /// The demuxers of common video containers.
    public static let videoContainers: Set<String> = [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "mpeg", "flv",
        "asf", "ogg", "mxf", "h264", "hevc", "m4v", "dv", "nut", "yuv4mpegpipe",
    ]

    /// The defaults: 1080p/720p/480p, x264 `veryfast`, 2 s segments, AAC 128 kbit/s at 48 kHz,
    /// poster 10% in and at most 1280 wide, common video containers only, `MediaLimits()`.
    public init(
        rungs: [TranscodeRung] = TranscodeRung.standardLadder,
        preset: String = "veryfast",
        segmentDuration: Double = 2,
        audioBitrate: Int = 128_000,
        audioSampleRate: Int = 48_000,
        posterPosition: Double = 0.1,
        posterMaxWidth: Int = 1280,
        acceptedInputFormats: Set<String> = TranscodeConfiguration.videoContainers,
        limits: MediaLimits = MediaLimits()
    ) {
        self.rungs = rungs
        self.preset = preset
        self.segmentDuration = segmentDuration
        self.audioBitrate = audioBitrate
        self.audioSampleRate = audioSampleRate
        self.posterPosition = posterPosition
        self.posterMaxWidth = posterMaxWidth
        self.acceptedInputFormats = acceptedInputFormats
        self.limits = limits
    }

    /// Throws `.invalidConfiguration` for values no job can use. The preset is checked by x264
    /// when the first rung opens.
    public func validate() throws {
        func fail(_ message: String) -> OriginNativeError {
            OriginNativeError(code: .invalidConfiguration, message: message)
        }
        guard !rungs.isEmpty else { throw fail("no rungs") }
        for rung in rungs where rung.height < 2 || rung.videoBitrate <= 0 || rung.maxBitrate < rung.videoBitrate
            || rung.bufferSize <= 0 || rung.name.isEmpty || rung.name.contains("/") {
            throw fail("rung \(rung.name.isEmpty ? "(unnamed)" : rung.name): needs a name without '/', a height "
                + "of at least 2, and positive bitrates with maxBitrate >= videoBitrate")
        }
        guard Set(rungs.map(\.name)).count == rungs.count else { throw fail("rung names must be unique") }
        guard segmentDuration >= 0.5, segmentDuration <= 60 else { throw fail("segmentDuration must be 0.5...60 s") }
        guard audioBitrate > 0, [44_100, 48_000].contains(audioSampleRate) else {
            throw fail("audioBitrate must be positive and audioSampleRate 44100 or 48000")
        }
        guard (0...1).contains(posterPosition), posterMaxWidth >= 2 else {
            throw fail("posterPosition must be 0...1 and posterMaxWidth at least 2")
        }
        guard !acceptedInputFormats.isEmpty else { throw fail("no accepted input format") }
        try limits.validate()
    }
}
