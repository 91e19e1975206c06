@testable import StreamLyTranscode
import StreamLyOriginNative
import Testing

@Suite struct KeyframeCadenceTests {
    private func keyframes(_ pts: [Int64], timeBase: (Int32, Int32), interval: Double = 2) -> [Int64] {
        var cadence = KeyframeCadence(intervalSeconds: interval, timeBase: timeBase)
        return pts.filter { (try? cadence.isKeyframe(pts: $0)) == true }
    }

    @Test func everyTwoSecondsAt30fps() {
        let pts = (0..<200).map { Int64($0) * 512 }  // 30 fps in 1/15360
        #expect(keyframes(pts, timeBase: (1, 15360)) == [0, 30720, 61440, 92160].map { Int64($0) })
    }

    @Test func ntscRateTakesTheFirstFrameAtOrAfterTheBoundary() {
        let pts = (0..<130).map { Int64($0) * 1001 }  // 29.97 fps in 1/30000
        // 2 s = 60000 ticks: frame 60 is at 60060; 4 s: frame 120 at 120120.
        #expect(keyframes(pts, timeBase: (1, 30000)) == [0, 60060, 120120])
    }

    @Test func variableFrameRateAndGaps() {
        // 1/1000 time base: a gap from 1.9 s to 5.1 s skips the 4 s boundary.
        #expect(keyframes([0, 900, 1900, 5100, 5900, 6000, 6100], timeBase: (1, 1000)) == [0, 5100, 6000])
    }

    @Test func fractionalIntervals() {
        #expect(keyframes((0..<10).map { Int64($0) * 250 }, timeBase: (1, 1000), interval: 0.5)
            == [0, 500, 1000, 1500, 2000])
    }

    /// A crafted timestamp (e.g. ffmpeg's `setts` adding 9.3e15 ticks of 1/1000) used to trap
    /// on `pts * num * 1000`; now it is refused as invalid media, and a negative one too.
    @Test func timestampsTooLargeToComputeAreInvalidMedia() throws {
        var cadence = KeyframeCadence(intervalSeconds: 2, timeBase: (1, 1000))
        #expect(try cadence.isKeyframe(pts: 0))
        for pts: Int64 in [9_300_000_000_000_000, .max, -1, .min] {
            let error = #expect(throws: OriginNativeError.self) { try cadence.isKeyframe(pts: pts) }
            #expect(error?.code == .invalidMedia)
            #expect(error?.message.contains("out of range") == true, "\(String(describing: error))")
        }
        // The cadence still works for sane timestamps afterwards.
        #expect(try cadence.isKeyframe(pts: 2000))
    }
}
