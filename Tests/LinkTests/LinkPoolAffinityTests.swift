import Testing
@testable import StreamLyLink

@Suite("LinkPool affinity (rendezvous hashing)")
struct LinkPoolAffinityTests {
    @Test func rankIsFNV1aOfMemberAndKey() {
        // The same weights in every process and on every edge (golden values).
        #expect(LinkPool.rank("127.0.0.1:7000", "video-1") == 0x7ef1_1104_6905_8b1f)
        #expect(LinkPool.rank("127.0.0.1:7001", "video-1") == 0x37bd_6407_dda9_3aae)
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
