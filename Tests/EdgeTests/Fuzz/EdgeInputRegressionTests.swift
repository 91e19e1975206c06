import Testing
@testable import StreamLyEdge

/// One case per finding of the `edge-input` fuzzer (its input is kept in
/// `Tests/Fuzz/edge-input/crashes/` and replayed by `EdgeInputReplayTests`).
@Suite struct EdgeInputRegressionTests {
    /// crash-range-combining-mark-digit: "5" followed by U+0301 is one Character that compared
    /// between "0" and "9", so `bytes=5́-10` passed as digits, failed `Int(_:)` and was served as
    /// the suffix range `-10` (206, the last 10 bytes). Positions are ASCII digits only (RFC 9110
    /// §14.1.1): such a header is ignored (200, the whole body).
    @Test func rangeWithACombiningMarkAfterADigitIsIgnored() {
        #expect(ByteRangeRequest(header: "bytes=5\u{301}-10", size: 4_096) == .whole)
        #expect(ByteRangeRequest(header: "bytes=0-1\u{301}", size: 4_096) == .whole)
        #expect(ByteRangeRequest(header: "bytes=-1\u{301}0", size: 4_096) == .whole)
        #expect(ByteRangeRequest(header: "bytes=5-10", size: 4_096) == .partial(5...10))
        #expect(ByteRangeRequest(header: "bytes=-10", size: 4_096) == .partial(4_086...4_095))
    }
}
