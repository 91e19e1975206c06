/// Checks every decoded picture of a job against `MediaLimits`, on its timestamp: the time
/// must be a finite, non-negative number of seconds within the duration limit, no further
/// from the previous picture than the allowed gap, and the pictures and pixels decoded so far
/// must fit the frame-rate and pixel-rate limits over the time covered (plus one second of
/// slack, so a stream's first burst is not refused). Pure: no FFmpeg.
struct PictureGuard: Sendable {
    let limits: MediaLimits
    private var lastSeconds: Double?
    private var pictures: Double = 0
    private var pixels: Double = 0

    init(limits: MediaLimits) {
        self.limits = limits
    }

    /// Admits a picture at `seconds` (relative to the first picture) of `width` × `height`,
    /// or throws `.invalidMedia` with the reason.
    mutating func admit(seconds: Double, width: Int, height: Int) throws {
        try limits.checkPicture(width: width, height: height)
        guard seconds.isFinite, seconds >= 0 else {
            throw MediaLimits.invalid("a picture has an invalid timestamp (\(seconds) s)")
        }
        if let lastSeconds, seconds - lastSeconds > limits.maxTimestampGapSeconds {
            throw MediaLimits.invalid("timestamp jump of \(MediaLimits.format(seconds - lastSeconds)) s between two pictures "
                                      + "(at \(MediaLimits.format(lastSeconds)) s; limit \(MediaLimits.format(limits.maxTimestampGapSeconds)) s)")
        }
        guard seconds <= limits.maxDurationSeconds else {
            throw MediaLimits.invalid("a picture at \(MediaLimits.format(seconds)) s is beyond the duration limit of "
                                      + "\(MediaLimits.format(limits.maxDurationSeconds)) s (timestamp jump?)")
        }
        lastSeconds = seconds
        pictures += 1
        pixels += Double(width) * Double(height)
        let covered = seconds + 1
        guard pictures <= limits.maxFrameRate * covered else {
            throw MediaLimits.invalid("\(Int(pictures)) pictures in \(MediaLimits.format(seconds)) s exceed the limit of "
                                      + "\(MediaLimits.format(limits.maxFrameRate)) frames per second")
        }
        guard pixels <= limits.maxPixelsPerSecond * covered else {
            throw MediaLimits.invalid("\(MediaLimits.format(pixels)) pixels decoded in \(MediaLimits.format(seconds)) s exceed "
                                      + "the limit of \(MediaLimits.format(limits.maxPixelsPerSecond)) pixels per second")
        }
    }
}
