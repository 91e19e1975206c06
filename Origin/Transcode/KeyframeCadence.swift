import StreamLyOriginNative

/// Decides which frames start a segment: the first frame at or after each multiple of the
/// segment duration. The decision is taken once per decoded frame and applied to every rung,
/// so keyframes (and therefore segment boundaries) line up across the ladder. Pure: no FFmpeg.
///
/// The arithmetic is checked: a timestamp whose product with the time base does not fit in
/// 64 bits (a crafted file) is refused with `.invalidMedia` instead of trapping.
struct KeyframeCadence: Sendable {
    /// Segment length in milliseconds.
    let intervalMilliseconds: Int64
    /// Time base of the timestamps passed to `isKeyframe` (num, den).
    let timeBase: (num: Int64, den: Int64)
    private var nextBoundary: Int64 = 0

    init(intervalSeconds: Double, timeBase: (num: Int32, den: Int32)) {
        intervalMilliseconds = max(1, Int64((intervalSeconds * 1000).rounded()))
        self.timeBase = (Int64(timeBase.num), Int64(max(timeBase.den, 1)))
    }

    /// Whether the frame at `pts` (relative to the first frame, in `timeBase`) must be an IDR
    /// frame. Call once per frame, in presentation order. Throws `.invalidMedia` for a negative
    /// timestamp or one too large to compute with.
    mutating func isKeyframe(pts: Int64) throws -> Bool {
        // pts * num / den >= nextBoundary / 1000, exactly, in integers.
        guard pts >= 0 else { throw Self.outOfRange(pts) }
        let (scaled, overflow1) = pts.multipliedReportingOverflow(by: timeBase.num)
        let (left, overflow2) = scaled.multipliedReportingOverflow(by: 1000)
        let (right, overflow3) = nextBoundary.multipliedReportingOverflow(by: timeBase.den)
        guard !overflow1, !overflow2, !overflow3 else { throw Self.outOfRange(pts) }
        guard left >= right else { return false }
        // The next boundary is the first multiple of the interval strictly after this frame.
        let milliseconds = left / timeBase.den
        let (next, overflow4) = (milliseconds / intervalMilliseconds + 1).multipliedReportingOverflow(by: intervalMilliseconds)
        guard !overflow4 else { throw Self.outOfRange(pts) }
        nextBoundary = next
        return true
    }

    private static func outOfRange(_ pts: Int64) -> OriginNativeError {
        OriginNativeError(code: .invalidMedia, message: "picture timestamp \(pts) is out of range")
    }
}
