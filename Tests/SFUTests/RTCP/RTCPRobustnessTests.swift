import NIOCore
import StreamLySFU
import Testing

@Suite("RTCP parser robustness")
struct RTCPRobustnessTests {
    @Test("10 000 mutations of the samples: iteration is total")
    func mutations() {
        var mutator = Mutator(seed: 0x5254_4350)
        let seeds = [RTCPSamples.compound, RTCPSamples.pli, RTCPSamples.nack, RTCPSamples.fir, RTCPSamples.remb,
                     RTCPSamples.transportCC, RTCPSamples.bye, RTCPSamples.nack + RTCPSamples.remb + RTCPSamples.fir]
        var packets = 0
        for iteration in 0..<10_000 {
            let input = iteration % 50 == 0 ? mutator.randomBytes() : mutator.mutate(seeds[iteration % seeds.count])
            var iterator = RTCPCompoundIterator(ByteBuffer(bytes: input))
            while let packet = try? iterator.next() {
                packets += 1
                if case .genericNack(let nack) = packet { _ = nack.lostSequenceNumbers }
            }
        }
        #expect(packets > 1_000)
    }
}
