@testable import StreamLyEdge
import Testing

@Suite struct ByteRangeRequestTests {
    @Test(arguments: [
        (nil, ByteRangeRequest.whole),
        ("bytes=0-99", .partial(0...99)),
        ("bytes=100-", .partial(100...999)),
        ("bytes=-100", .partial(900...999)),
        ("bytes=-5000", .partial(0...999)),
        ("bytes=990-2000", .partial(990...999)),
        ("bytes=999-999", .partial(999...999)),
        ("Bytes = 1-2", .whole),
        ("bytes= 1-2 ", .partial(1...2)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=5000-6000", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=0-1,5-6", .whole),
        ("items=0-1", .whole),
        ("bytes=5-1", .whole),
        ("bytes=a-b", .whole),
        ("bytes=-", .whole),
        ("bytes=99999999999999999999-", .whole),
    ] as [(String?, ByteRangeRequest)])
    func parses(header: String?, expected: ByteRangeRequest) {
        #expect(ByteRangeRequest(header: header, size: 1_000) == expected)
    }

    @Test func emptyRepresentation() {
        #expect(ByteRangeRequest(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=-1", size: 0) == .unsatisfiable)
    }
}
