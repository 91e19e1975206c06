import NIOCore
import StreamLySFU
import Testing

@Suite("STUN parser robustness")
struct StunRobustnessTests {
    @Test("10 000 mutations of the RFC 5769 vectors: parse and every reader are total")
    func mutations() {
        var mutator = Mutator(seed: 0x5354_554E)
        let seeds = [RFC5769.request, RFC5769.ipv4Response, RFC5769.ipv6Response]
        var parsed = 0
        for iteration in 0..<10_000 {
            let input = iteration % 50 == 0 ? mutator.randomBytes() : mutator.mutate(seeds[iteration % seeds.count])
            guard let message = try? StunMessage.parse(ByteBuffer(bytes: input)) else { continue }
            parsed += 1
            _ = message.username
            _ = message.priority
            _ = message.iceControlled
            _ = message.iceControlling
            _ = message.errorCode
            _ = message.xorMappedAddress
            _ = message.unknownComprehensionRequiredTypes
            _ = message.verifyIntegrity(key: RFC5769.password)
            _ = message.verifyFingerprint()
            _ = message.serialize(integrityKey: RFC5769.password, fingerprint: true)
        }
        #expect(parsed > 0)
    }
}
