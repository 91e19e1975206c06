import NIOCore
import StreamLySFU
import Testing

@Suite("Negotiation and forwarding robustness: mutated inputs never trap")
struct NegotiationRobustnessTests {
    /// Every mutated sample that parses is either answered (and the answer parses back) or
    /// refused with a `NegotiationError`; never a trap.
    @Test("10 000 mutated offers: answered or refused with a reason")
    func mutatedOffers() throws {
        var mutator = Mutator(seed: 0x4E45_474F)
        let seeds = try Fixtures.sdpNames.map { Array(try Fixtures.sdp($0).utf8) }
        var answered = 0
        var refused = 0
        for iteration in 0..<10_000 {
            let bytes = mutator.mutate(seeds[iteration % seeds.count])
            guard let offer = try? SessionDescription.parse(String(decoding: bytes, as: UTF8.self)) else { continue }
            do {
                let answer = try PublishAnswerBuilder.answer(to: offer, transport: PublishAnswerBuilderTests.transport,
                                                             sessionID: "1", version: 1, maxTracks: 4)
                #expect(answer.media.count <= 4)
                #expect((try? SessionDescription.parse(answer.sdp.serialized())) != nil, "iteration \(iteration)")
                answered += 1
            } catch {
                #expect(!error.reason.isEmpty)
                refused += 1
            }
        }
        #expect(answered > 100 && refused > 100)
    }

    /// Random bytes as VP8 and H.264 payloads and random forwarder inputs: total functions.
    @Test("random payloads and packet sequences: keyframe detection and forwarding are total")
    func randomPackets() {
        var generator = SeededGenerator(seed: 0x4657_4431)
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        var lastForwarded: UInt16?
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<24, using: &generator)
            let payload = ByteBuffer(bytes: (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
            _ = KeyframeDetector.isKeyframe(payload, codec: .vp8)
            _ = KeyframeDetector.isKeyframe(payload, codec: .h264)
            _ = VP8PayloadDescriptor.parse(payload)
            if Int.random(in: 0..<50, using: &generator) == 0 {
                forwarder.setTargetLayer(Int.random(in: -1...2, using: &generator).clamped)
            }
            let input = ForwarderInput(layer: Int.random(in: 0...2, using: &generator),
                                       sequenceNumber: UInt16.random(in: .min ... .max, using: &generator),
                                       timestamp: UInt32.random(in: .min ... .max, using: &generator),
                                       isKeyframe: Bool.random(using: &generator),
                                       pictureID: UInt16.random(in: 0...0x7FFF, using: &generator),
                                       arrival: UInt64.random(in: 0...UInt64(Int64.max), using: &generator))
            if case .forward(let rewrite) = forwarder.decide(input) { lastForwarded = rewrite.sequenceNumber }
        }
        #expect(lastForwarded != nil)
    }
}

private extension Int {
    /// -1 stands for "no layer".
    var clamped: Int? { self < 0 ? nil : self }
}
