import Testing
@testable import StreamLyLink

@Suite("LinkPool affinity (rendezvous hashing)")
struct LinkPoolAffinityTests {
    @Test func rankIsFNV1aOfMemberAndKey() {
        // The same weights in every process and on every edge (golden values of FNV-1a 64).
        #expect(LinkPool.rank("127.0.0.1:7000", "video-1") == 0x96d7_299f_6699_cb12)
        #expect(LinkPool.rank("127.0.0.1:7001", "video-1") == 0x368d_c83f_27fd_9db9)
    }

    @Test func keysSpreadOverMembers() {
        let members = ["10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"]
        var counts: [String: Int] = [:]
        for key in 0..<3_000 {
            let winner = members.max { LinkPool.rank($0, "k\(key)") < LinkPool.rank($1, "k\(key)") }!
            counts[winner, default: 0] += 1
        }
        #expect(counts.values.allSatisfy { $0 > 700 }, "\(counts)")
    }
}
