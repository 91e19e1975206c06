import NIOCore
import StreamLySFU
import Testing

@Suite("NACK: retransmission cache, RTX and upstream loss detection")
struct NackTests {
    static let ms: UInt64 = 1_000_000

    func packet(seq: UInt16, payload: [UInt8] = [1, 2, 3]) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [0x80, 0x60])
        buffer.writeInteger(seq)
        buffer.writeInteger(UInt32(9000))
        buffer.writeInteger(UInt32(0xAABB_CCDD))
        buffer.writeBytes(payload)
        return buffer
    }

    func retrieve(_ cache: inout RetransmissionCache, _ sequence: UInt16, now: UInt64, into out: inout ByteBuffer) -> Bool {
        cache.retrieve(sequence, now: now, into: &out)
    }

    @Test func cacheAnswersOncePerIntervalAndForgetsOldPackets() {
        var cache = RetransmissionCache(capacity: 8, maxAge: 1000 * Self.ms, minResendInterval: 100 * Self.ms)
        var out = ByteBuffer()
        cache.store(packet(seq: 65_535), sequenceNumber: 65_535, now: 0)
        cache.store(packet(seq: 0), sequenceNumber: 0, now: 0)
        #expect(retrieve(&cache, 0, now: 10 * Self.ms, into: &out))
        #expect(out == packet(seq: 0))
        #expect(!retrieve(&cache, 0, now: 50 * Self.ms, into: &out))
        #expect(retrieve(&cache, 0, now: 120 * Self.ms, into: &out))
        #expect(retrieve(&cache, 65_535, now: 120 * Self.ms, into: &out))
        #expect(!retrieve(&cache, 1, now: 120 * Self.ms, into: &out))
        #expect(!retrieve(&cache, 0, now: 1200 * Self.ms, into: &out))
        // A slot reused by a later number no longer answers for the old one.
        cache.store(packet(seq: 8), sequenceNumber: 8, now: 1300 * Self.ms)
        #expect(!retrieve(&cache, 0, now: 1300 * Self.ms, into: &out))
        #expect(cache.capacity == 8)
    }

    @Test func cacheNamesTheNumbersItNeverHeldAcrossTheWrapAndOnlyWithinTheRing() {
        var cache = RetransmissionCache(capacity: 8, maxAge: 1000 * Self.ms, initialCapacity: 8)
        for sequence: UInt16 in [65_533, 65_535, 2] { cache.store(packet(seq: sequence), sequenceNumber: sequence, now: 0) }
        #expect(cache.unsent(from: 65_533, through: 2) == [65_534, 0, 1])
        #expect(cache.unsent(from: 2, through: 2).isEmpty)
        // Only the ring's 8 newest numbers are looked at: 65_531...2, not 65_520...65_530.
        #expect(cache.unsent(from: 65_520, through: 2) == [65_531, 65_532, 65_534, 0, 1])
    }

    /// The ring holds `maxAge` of the stream's own rate: a slow stream keeps few buffers, a fast
    /// one grows (up to its capacity) without losing what it held.
    @Test func cacheGrowsWithTheStreamsRateAndKeepsItsPacketsAcrossGrowth() {
        var slow = RetransmissionCache(capacity: 1024, maxAge: 2000 * Self.ms, initialCapacity: 64)
        for step in 0..<2_000 { // 20 packets/s for 100 s: 40 packets within 2 s
            let sequence = UInt16(truncatingIfNeeded: 65_000 + step)
            slow.store(packet(seq: sequence), sequenceNumber: sequence, now: UInt64(step) * 50 * Self.ms)
        }
        #expect(slow.slotCount == 64)
        #expect(slow.allocatedSlots == 64)

        var fast = RetransmissionCache(capacity: 1024, maxAge: 2000 * Self.ms, initialCapacity: 64)
        var out = ByteBuffer()
        for step in 0..<3_000 { // 500 packets/s: 1000 within 2 s
            let sequence = UInt16(truncatingIfNeeded: 65_000 + step)
            fast.store(packet(seq: sequence, payload: [UInt8(truncatingIfNeeded: step)]), sequenceNumber: sequence,
                       now: UInt64(step) * 2 * Self.ms)
            if step == 100 { // every packet stored so far is still answerable after the growth
                #expect(fast.slotCount == 128)
                for earlier in 0...100 {
                    #expect(retrieve(&fast, UInt16(truncatingIfNeeded: 65_000 + earlier), now: 201 * Self.ms, into: &out))
                    #expect(out.getInteger(at: 12, as: UInt8.self) == UInt8(truncatingIfNeeded: earlier))
                }
            }
        }
        #expect(fast.slotCount == 1024)
        let newest = UInt16(truncatingIfNeeded: 65_000 + 2_999)
        #expect(retrieve(&fast, newest - 900, now: 5_999 * Self.ms, into: &out))
        #expect(out.getInteger(at: 12, as: UInt8.self) == UInt8(truncatingIfNeeded: 2_999 - 900))
    }

    @Test func rtxRoundTrip() throws {
        let original = try RTPPacket.parse(packet(seq: 4242, payload: [9, 8, 7]))
        var rtx = ByteBuffer()
        RTXPacket.wrap(original, ssrc: 0x1111_2222, payloadType: 97, sequenceNumber: 7, into: &rtx)
        let parsed = try RTPPacket.parse(rtx)
        #expect(parsed.ssrc == 0x1111_2222)
        #expect(parsed.payloadType == 97)
        #expect(parsed.sequenceNumber == 7)
        #expect(parsed.timestamp == 9000)
        #expect(Array(parsed.payload.readableBytesView) == [0x10, 0x92, 9, 8, 7])
        var restored = ByteBuffer()
        #expect(RTXPacket.unwrap(parsed, mediaSSRC: 0xAABB_CCDD, mediaPayloadType: 96, into: &restored))
        #expect(restored == packet(seq: 4242, payload: [9, 8, 7]))
        let empty = try RTPPacket.parse(packet(seq: 1, payload: []))
        #expect(!RTXPacket.unwrap(empty, mediaSSRC: 1, mediaPayloadType: 96, into: &restored))
    }

    @Test func generatorAsksForGapsUntilTheyArriveOrRetriesRunOut() {
        var generator = NackGenerator(maxEntries: 4, maxRetries: 2, retryInterval: 40 * Self.ms)
        var due: [UInt16] = []
        generator.received(65_534)
        generator.received(1)  // 65535 and 0 lost, across the wrap
        #expect(generator.missingCount == 2)
        generator.due(now: 0, into: &due)
        #expect(due == [65_535, 0])
        generator.due(now: 10 * Self.ms, into: &due)
        #expect(due.isEmpty)
        let recovered = generator.received(0)
        #expect(recovered)
        generator.due(now: 50 * Self.ms, into: &due)
        #expect(due == [65_535])
        generator.due(now: 100 * Self.ms, into: &due)
        #expect(due.isEmpty)
        #expect(generator.missingCount == 0)
        // A burst beyond capacity keeps the newest; a huge jump is a restart, not loss.
        generator.received(10)
        #expect(generator.missingCount == 4)
        generator.received(10_000)
        #expect(generator.missingCount == 0)
    }
}
