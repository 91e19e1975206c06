import StreamLySFU
import Testing

@Suite("SDP parser robustness")
struct SDPRobustnessTests {
    /// The model's per-payload-type lists come back grouped in m= line order, so the property
    /// checked is that serialization is a fixpoint: what parses, serializes to text that parses
    /// and serializes to the same text.
    @Test("10 000 mutations of the samples: parse is total, and serialization is a fixpoint")
    func mutations() throws {
        var mutator = Mutator(seed: 0x5344_5020)
        let seeds = try Fixtures.sdpNames.map { Array(try Fixtures.sdp($0).utf8) }
        var parsed = 0
        for iteration in 0..<10_000 {
            let bytes = mutator.mutate(seeds[iteration % seeds.count])
            guard let description = try? SessionDescription.parse(String(decoding: bytes, as: UTF8.self)) else {
                continue
            }
            parsed += 1
            let text = description.serialized()
            let again = try? SessionDescription.parse(text)
            let second = again?.serialized() ?? "<no parse>"
            if second != text {
                let a = text.split(separator: "\r\n"), b = second.split(separator: "\r\n")
                let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                Issue.record("iteration \(iteration): line \(index): \(a.count > index ? String(a[index]).debugDescription : "-") vs \(b.count > index ? String(b[index]).debugDescription : "-")")
            }
        }
        #expect(parsed > 1_000)
    }
}
