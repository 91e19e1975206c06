import NIOCore
import StreamLySFU
import Testing

/// The send-side estimator against feedback written by the edge's own generator (the receive
/// side), over a simulated link: what arrives, when, and what is lost is chosen per test.
@Suite("Send-side bandwidth estimation from transport-cc feedback")
struct BandwidthEstimationTests {
    static let ms: UInt64 = 1_000_000

    /// Sends `count` packets of `size` bytes every `interval`; the link delivers them after
    /// `delay(i)` (nil = lost). Feedback every 100 ms. Returns the estimate at the end.
    static func run(_ estimator: inout SendSideBandwidthEstimator, count: Int = 100, size: Int = 1000,
                    interval: UInt64 = 10 * ms, start: UInt64 = 1_000 * ms,
                    delay: (Int) -> UInt64? = { _ in 20 * ms }) -> UInt64? {
        var receiver = TransportFeedbackGenerator()
        for index in 0..<count {
            let sent = start + UInt64(index) * interval
            let sequence = estimator.packetSent(size: size, now: sent)
            if let delay = delay(index) { receiver.received(sequence, now: sent + delay) }
            if index % 10 == 9 {
                while let feedback = receiver.feedback(senderSSRC: 1, mediaSSRC: 2) { estimator.feedbackReceived(feedback) }
            }
        }
        return estimator.update()
    }

    @Test("a clean link: 8 % above the delivered rate (800 kbit/s)")
    func cleanLink() throws {
        var estimator = SendSideBandwidthEstimator()
        let estimateRun = Self.run(&estimator)
        let estimate = try #require(estimateRun)
        // 100 × 1000 B over 990 ms of arrivals = 808 kbit/s; × 1.08.
        #expect(estimate == 808_080 * 108 / 100)
        // It keeps climbing 8 % per interval while the link stays clean, capped at 1.5 × delivered + 10 k.
        let nextRun = Self.run(&estimator, start: 2_000 * Self.ms)
        let next = try #require(nextRun)
        #expect(next > estimate && next <= 808_080 * 3 / 2 + 10_000)
    }

    @Test("loss above 10 %: delivered × (1 − loss/2)")
    func heavyLoss() throws {
        var estimator = SendSideBandwidthEstimator()
        let estimateRun = Self.run(&estimator) { $0 % 5 == 1 ? nil : 20 * Self.ms }
        let estimate = try #require(estimateRun)
        // 80 received (every fifth lost) over 990 ms of arrivals: 80 000 B.
        let delivered: UInt64 = 80 * 1000 * 8 * 1_000_000 / 990_000
        #expect(estimate == UInt64(Double(delivered) * 0.9))
    }

    @Test("a growing queue (arrivals spread 50 % wider than sends): 0.85 × delivered")
    func queueGrowth() throws {
        var estimator = SendSideBandwidthEstimator()
        let estimateRun = Self.run(&estimator) { UInt64($0) * 5 * Self.ms }
        let estimate = try #require(estimateRun)
        // Arrivals span 990 + 495 ms.
        #expect(estimate == 100 * 1000 * 8 * 1_000_000 / 1_485_000 * 85 / 100)
    }

    @Test("moderate loss (2–10 %) holds the previous estimate")
    func moderateLossHolds() throws {
        var estimator = SendSideBandwidthEstimator()
        let firstRun = Self.run(&estimator)
        let first = try #require(firstRun)
        let heldRun = Self.run(&estimator, start: 2_000 * Self.ms) { $0 % 20 == 3 ? nil : 20 * Self.ms }
        let held = try #require(heldRun)
        #expect(held == first)
    }

    @Test("too little reported gives no estimate; unknown sequence numbers are ignored")
    func tooLittle() {
        var estimator = SendSideBandwidthEstimator()
        let few = Self.run(&estimator, count: 5)
        #expect(few == nil)
        var generator = TransportFeedbackGenerator()
        for sequence in 1000..<1100 { generator.received(UInt16(sequence), now: UInt64(sequence) * Self.ms) }
        estimator.feedbackReceived(generator.feedback(senderSSRC: 1, mediaSSRC: 2)!)
        let estimate = estimator.update()
        #expect(estimate == nil)
    }

    @Test("a loss signal limits the layers through DownlinkLimit; a clean link does not")
    func limitsLayers() throws {
        var estimator = SendSideBandwidthEstimator()
        var limit = DownlinkLimit()
        let cleanRun = Self.run(&estimator)
        let clean = try #require(cleanRun)
        limit.estimateReceived(clean, forwarded: 800_000, now: 1)
        #expect(limit.limit(now: 2) == nil)
        let lossyRun = Self.run(&estimator, start: 2_000 * Self.ms) { $0 % 4 == 0 ? nil : 20 * Self.ms }
        let lossy = try #require(lossyRun)
        limit.estimateReceived(lossy, forwarded: 800_000, now: 3)
        #expect(limit.limit(now: 4) == lossy)
        #expect(LayerSelector.select(bitrates: [150_000, 500_000, 2_500_000], estimate: limit.limit(now: 4), quality: .high) == 1)
    }
}
