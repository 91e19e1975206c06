import NIOCore
import StreamLySFU
import Testing

@Suite("Transport-wide congestion control feedback: wire format and the edge's generator")
struct TransportFeedbackTests {
    static func parse(_ bytes: [UInt8]) throws -> RTCPTransportFeedback {
        var iterator = RTCPCompoundIterator(ByteBuffer(bytes: bytes))
        guard case .transportFeedback(let feedback) = try iterator.next() else {
            throw RTPPacketError(.badBody, "not transport-cc")
        }
        return feedback
    }

    static func header(base: UInt16, count: UInt16, reference: UInt32, words: UInt16) -> [UInt8] {
        [0x8F, 205, UInt8(words >> 8), UInt8(words & 0xFF), 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
         UInt8(base >> 8), UInt8(base & 0xFF), UInt8(count >> 8), UInt8(count & 0xFF),
         UInt8((reference >> 16) & 0xFF), UInt8((reference >> 8) & 0xFF), UInt8(reference & 0xFF), 0x05]
    }

    @Test("a run-length chunk (the sample): two packets at the reference time −64 ms")
    func runLength() throws {
        let feedback = try Self.parse(RTCPSamples.transportCC)
        #expect(feedback.baseSequenceNumber == 1 && feedback.packetStatusCount == 2)
        #expect(feedback.packets.map(\.sequenceNumber) == [1, 2])
        #expect(feedback.packets.map(\.arrival) == [-64_000, -64_000])
    }

    @Test("a two-bit vector chunk: small delta, lost, negative large delta")
    func twoBitVector() throws {
        // Statuses 1, 0, 2 → 11 01 00 10 00… = 0xD200; deltas 4 (1 ms) and −8 (−2 ms).
        let bytes = Self.header(base: 100, count: 3, reference: 1, words: 6) + [0xD2, 0x00, 0x04, 0xFF, 0xF8, 0x00, 0x00, 0x00]
        let feedback = try Self.parse(bytes)
        #expect(feedback.packets.map(\.sequenceNumber) == [100, 101, 102])
        #expect(feedback.packets.map(\.arrival) == [65_000, nil, 63_000])
        #expect(Array(feedback.serialized().readableBytesView) == bytes)
    }

    @Test("a one-bit vector chunk: 14 statuses, the count cuts it to 5")
    func oneBitVector() throws {
        // 1 0 1 1 0 (then unused) → 10 10110 000000000 = 0xAC00; three small deltas.
        let bytes = Self.header(base: 0xFFFE, count: 5, reference: 0, words: 6) + [0xAC, 0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00]
        let feedback = try Self.parse(bytes)
        #expect(feedback.packets.map(\.sequenceNumber) == [0xFFFE, 0xFFFF, 0, 1, 2])
        #expect(feedback.packets.map(\.arrival) == [250, nil, 750, 1500, nil])
    }

    @Test("missing deltas, missing chunks and the reserved symbol are errors")
    func malformed() {
        // Three received packets, two delta bytes.
        #expect(throws: RTPPacketError.self) {
            _ = try Self.parse(Self.header(base: 1, count: 3, reference: 0, words: 5) + [0x20, 0x03, 0x00, 0x00])
        }
        #expect(throws: RTPPacketError.self) {
            _ = try Self.parse(Self.header(base: 1, count: 20, reference: 0, words: 5) + [0x80, 0x00, 0x00, 0x00])
        }
        // More packets than one feedback may report.
        #expect(throws: RTPPacketError.self) {
            _ = try Self.parse(Self.header(base: 1, count: 8193, reference: 0, words: 5) + [0x1F, 0xFF, 0x00, 0x00])
        }
        // Run of the reserved symbol 3.
        #expect(throws: RTPPacketError.self) {
            _ = try Self.parse(Self.header(base: 1, count: 2, reference: 0, words: 5) + [0x60, 0x02, 0x00, 0x00])
        }
    }

    static let ms: UInt64 = 1_000_000

    @Test("the generator reports arrivals, losses and reordering; a round trip through the wire keeps them")
    func generatorRoundTrip() throws {
        var generator = TransportFeedbackGenerator()
        let start: UInt64 = 10_000 * Self.ms + 5 * Self.ms  // 5 ms past a 64 ms boundary
        generator.received(10, now: start)
        generator.received(11, now: start + 1 * Self.ms)
        generator.received(13, now: start + 2 * Self.ms)  // 12 lost
        generator.received(15, now: start + 3 * Self.ms)
        generator.received(14, now: start + 4 * Self.ms)  // reordered: a negative delta follows
        generator.received(16, now: start + 300 * Self.ms)  // a large delta
        let feedbackMade = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        let feedback = try #require(feedbackMade)
        let parsed = try Self.parse(Array(feedback.serialized().readableBytesView))
        #expect(parsed == feedback)
        #expect(parsed.feedbackPacketCount == 0)
        let arrivals = parsed.packets
        #expect(arrivals.map(\.sequenceNumber) == Array(10...16))
        #expect(arrivals[2].arrival == nil)
        let base = try #require(arrivals[0].arrival)
        let relative = arrivals.map { $0.arrival.map { $0 - base } }
        #expect(relative == [0, 1000, nil, 2000, 4000, 3000, 300_000])
        // Nothing new: no feedback; a late packet older than the reported ones is ignored.
        let nothing = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        #expect(nothing == nil)
        generator.received(12, now: start + 301 * Self.ms)
        let stillNothing = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        #expect(stillNothing == nil)
        generator.received(17, now: start + 310 * Self.ms)
        let nextMade = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        let next = try #require(nextMade)
        #expect(next.baseSequenceNumber == 17 && next.packetStatusCount == 1 && next.feedbackPacketCount == 1)
    }

    @Test("long runs use run-length chunks; more than 400 packets split over two feedbacks")
    func runsAndSplitting() throws {
        var generator = TransportFeedbackGenerator()
        for sequence in 0..<500 { generator.received(UInt16(sequence), now: UInt64(sequence) * Self.ms / 4) }
        let firstMade = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        let first = try #require(firstMade)
        #expect(first.packetStatusCount == 400)
        // 400 small deltas (each 250 µs = 1) behind one run-length chunk.
        #expect(first.chunks.readableBytes == 2 + 400)
        let secondMade = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        let second = try #require(secondMade)
        #expect(second.baseSequenceNumber == 400 && second.packetStatusCount == 100)
        #expect(try Self.parse(Array(second.serialized().readableBytesView)).packets.allSatisfy { $0.arrival != nil })
    }

    @Test("sequence numbers wrap; a ring overflow forgets the oldest")
    func wrapAndOverflow() throws {
        var generator = TransportFeedbackGenerator()
        generator.received(65_534, now: Self.ms)
        generator.received(1, now: 2 * Self.ms)
        let feedbackMade = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        let feedback = try #require(feedbackMade)
        #expect(feedback.packets.map(\.sequenceNumber) == [65_534, 65_535, 0, 1])
        #expect(feedback.packets.map { $0.arrival != nil } == [true, false, false, true])
        for sequence in 2..<3000 { generator.received(UInt16(sequence), now: 3 * Self.ms) }
        let afterMade = generator.feedback(senderSSRC: 1, mediaSSRC: 2)
        let after = try #require(afterMade)
        #expect(after.baseSequenceNumber == 3000 - UInt16(TransportFeedbackGenerator.capacity))
    }
}
