/// Decides which frames start a segment: the first frame at or after each multiple of the
/// segment duration. The decision is taken once per decoded frame and applied to every rung,
/// so keyframes (and therefore segment boundaries) line up across the ladder. Pure: no FFmpeg.
struct KeyframeCadence: Sendable {
    /// Segment length in milliseconds.
    let intervalMilliseconds: Int64
    /// Time base of the timestamps passed to `isKeyframe` (num, den).
    let timeBase: (num: Int64, den: Int64)
    private var nextBoundary: Int64 = 0

    init(intervalSeconds: Double, timeBase: (num: Int32, den: Int32)) {
        intervalMilliseconds = max(1, Int64((intervalSeconds * 1000).rounded()))
        self.timeBase = (Int64(timeBase.num), Int64(timeBase.den))
    }

    /// Whether the frame at `pts` (relative to the first frame, in `timeBase`) must be an IDR
    /// frame. Call once per frame, in presentation order.
    mutating func isKeyframe(pts: Int64) -> Bool {
        // pts * num / den >= nextBoundary / 1000, exactly, in integers.
        let left = pts * timeBase.num * 1000
        guard left >= nextBoundary * timeBase.den else { return false }
        // The next boundary is the first multiple of the interval strictly after this frame.
        let milliseconds = left / timeBase.den
        nextBoundary = (milliseconds / intervalMilliseconds + 1) * intervalMilliseconds
        return true
    }
}
