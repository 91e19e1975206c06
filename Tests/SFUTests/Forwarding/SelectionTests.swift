import StreamLySFU
import Testing

@Suite("Layer selection, keyframe throttling, active speakers")
struct SelectionTests {
    @Test func layerFitsEstimateAndPreference() {
        let bitrates: [UInt64] = [150_000, 500_000, 2_500_000]
        #expect(LayerSelector.select(bitrates: bitrates, estimate: nil, quality: .high) == 2)
        #expect(LayerSelector.select(bitrates: bitrates, estimate: 1_000_000, quality: .high) == 1)
        #expect(LayerSelector.select(bitrates: bitrates, estimate: 10_000_000, quality: .low) == 0)
        #expect(LayerSelector.select(bitrates: bitrates, estimate: 10_000_000, quality: .medium) == 1)
        #expect(LayerSelector.select(bitrates: bitrates, estimate: 50_000, quality: .high) == 0)
        #expect(LayerSelector.select(bitrates: bitrates, estimate: nil, quality: .off) == nil)
        // A layer that is not flowing is never chosen.
        #expect(LayerSelector.select(bitrates: [150_000, 0, 2_500_000], estimate: 1_000_000, quality: .high) == 0)
        #expect(LayerSelector.select(bitrates: [0, 500_000, 0], estimate: nil, quality: .low) == nil)
        #expect(LayerSelector.select(bitrates: [40_000], estimate: nil, quality: .medium) == 0)
    }

    @Test func downlinkEstimateLimitsOnlyAfterCongestion() {
        let second: UInt64 = 1_000_000_000
        var limit = DownlinkLimit(hold: 10 * second)
        // Receiving the low layer: a REMB of 1.5 × the incoming rate is no limit, so the
        // preference can move the subscriber up.
        limit.estimateReceived(235_000, forwarded: 150_000, now: 0)
        #expect(limit.limit(now: 0) == nil)
        // Growing estimates (after a switch up the REMB lags behind what is sent) are no limit.
        limit.estimateReceived(400_000, forwarded: 2_600_000, now: 1 * second)
        #expect(limit.limit(now: 1 * second) == nil)
        // A falling estimate below what is forwarded is congestion: in force for the hold time.
        limit.estimateReceived(300_000, forwarded: 2_600_000, now: 2 * second)
        #expect(limit.limit(now: 2 * second) == 300_000)
        #expect(LayerSelector.select(bitrates: [150_000, 500_000, 2_500_000], estimate: limit.limit(now: 3 * second),
                                     quality: .high) == 0)
        limit.estimateReceived(700_000, forwarded: 160_000, now: 5 * second)
        #expect(limit.limit(now: 5 * second) == 700_000)
        #expect(limit.isCongested(now: 11 * second))
        #expect(limit.limit(now: 12 * second) == nil)
        // A small dip (≤ 5%) or one above what is forwarded is not congestion.
        limit.estimateReceived(680_000, forwarded: 500_000, now: 13 * second)
        limit.estimateReceived(600_000, forwarded: 500_000, now: 14 * second)
        #expect(limit.limit(now: 14 * second) == nil)
    }

    @Test func keyframeRequestsAreThrottled() {
        var throttle = KeyframeRequestThrottle(interval: 500)
        var answers: [Bool] = []
        for now: UInt64 in [1000, 1200, 1500] { answers.append(throttle.shouldRequest(now: now)) }
        throttle.keyframeReceived()
        answers.append(throttle.shouldRequest(now: 1501))
        #expect(answers == [true, false, true, true])
    }

    @Test func speakersLoudestFirstOnlyOnChange() throws {
        var detector = ActiveSpeakerDetector(threshold: 70, minPackets: 10)
        var alice = AudioLevelMeter()
        var bob = AudioLevelMeter()
        for _ in 0..<50 { alice.record(30) }
        for _ in 0..<50 { bob.record(10) }
        var carol = AudioLevelMeter()
        for _ in 0..<5 { carol.record(0) }  // too few packets
        let a = alice.take(), b = bob.take(), c = carol.take()
        let ranked = detector.update([("alice", a.meanLevel, a.packets), ("bob", b.meanLevel, b.packets),
                                      ("carol", c.meanLevel, c.packets)])
        let first = try #require(ranked)
        #expect(first.map(\.participant) == ["bob", "alice"])
        #expect(first[0].level == 0.32)  // 10^(-10/20)
        #expect(first[1].level == 0.03)
        let unchanged = detector.update([("alice", 30, 50), ("bob", 10, 50)])
        #expect(unchanged == nil)
        let aliceQuiet = detector.update([("alice", 127, 50), ("bob", 10, 50)])
        #expect(aliceQuiet?.map(\.participant) == ["bob"])
        let nobody = detector.update([])
        #expect(nobody == [])
        let drained = alice.take()
        #expect(drained.packets == 0)
        #expect(AudioLevelMeter.level(fromExtension: .init(bytes: [0x80 | 42])) == 42)
    }
}
