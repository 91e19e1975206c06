import NIOCore
import StreamLySFU
import Testing

@Suite("RTP parser robustness")
struct RTPRobustnessTests {
    @Test("10 000 mutations of the sample packets: parse, readers and rewrites are total")
    func mutations() {
        var mutator = Mutator(seed: 0x5254_5020)
        let seeds = [RTPSamples.oneByteExtension, RTPSamples.twoByteExtensionCSRCPadding, RTPSamples.plain]
        var parsed = 0
        for iteration in 0..<10_000 {
            let input = iteration % 50 == 0 ? mutator.randomBytes() : mutator.mutate(seeds[iteration % seeds.count])
            _ = DatagramKind.classify(ByteBuffer(bytes: input))
            guard var packet = try? RTPPacket.parse(ByteBuffer(bytes: input)) else { continue }
            parsed += 1
            _ = (packet.marker, packet.payloadType, packet.sequenceNumber, packet.timestamp, packet.ssrc, packet.csrcs)
            #expect(packet.payloadLength >= 0)
            _ = packet.payload
            for element in packet.headerExtensions {
                _ = element.value.readableBytes
            }
            packet.setSequenceNumber(1)
            packet.setTimestamp(2)
            packet.setSSRC(3)
            packet.rewriteHeaderExtension(id: 1, with: [0])
        }
        #expect(parsed > 1_000)
    }
}
