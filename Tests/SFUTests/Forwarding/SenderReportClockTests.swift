import StreamLySFU
import Testing

@Suite("Sender reports: RTP↔NTP mapping of rewritten streams")
struct SenderReportClockTests {
    /// NTP time (RFC 5905 64-bit) of `seconds`.
    static func ntp(_ seconds: Double) -> UInt64 {
        UInt64(seconds) << 32 | UInt64((seconds - seconds.rounded(.down)) * 4_294_967_296)
    }

    static func ns(_ seconds: Double) -> UInt64 { UInt64(seconds * 1e9) }

    /// Two simulcast layers of one camera: unrelated RTP bases, the same capture clock.
    static func layer0(_ t: Double) -> UInt32 { 1_000_000 &+ UInt32(90_000 * t) }
    static func layer2(_ t: Double) -> UInt32 { 3_000_000_000 &+ UInt32(90_000 * t) }

    static func near(_ a: UInt32, _ b: UInt32) -> Bool {
        let distance = a &- b
        return distance <= 1 || distance >= UInt32.max
    }

    @Test("before and after a layer switch the SR maps wall time to the timestamps sent")
    func acrossASwitch() throws {
        // The edge's clock is 5 s ahead of the publisher's; capture time t is publisher NTP 1000 + t.
        let offset = SenderReportClock.offset(senderNTP: Self.ntp(1000), arrivedAt: Self.ntp(1005))
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        var sent: [UInt32] = []
        for (index, t) in [0.0, 0.033, 0.066].enumerated() {
            // Arrival jitter (0, 4, 1 ms) does not move the mapping.
            let input = ForwarderInput(layer: 0, sequenceNumber: UInt16(10 + index), timestamp: Self.layer0(t), marker: true,
                                       isKeyframe: index == 0, arrival: Self.ns(t + [0, 0.004, 0.001][index]))
            guard case .forward(let rewrite) = forwarder.decide(input) else { Issue.record("dropped"); return }
            sent.append(rewrite.timestamp)
        }
        let before = SenderReportClock.rtpTimestamp(at: Self.ntp(1005.066), senderNTP: Self.ntp(1000.01),
                                                    senderRTP: Self.layer0(0.01), clockOffset: offset, clockRate: 90_000,
                                                    forwarderOffset: forwarder.timestampOffset)
        #expect(Self.near(before, sent[2]))

        forwarder.setTargetLayer(2)
        let key = ForwarderInput(layer: 2, sequenceNumber: 7000, timestamp: Self.layer2(0.1), marker: true, isKeyframe: true,
                                 arrival: Self.ns(0.105))
        guard case .forward(let switched) = forwarder.decide(key) else { Issue.record("no switch"); return }
        #expect(switched.switchedToLayer == 2)
        // Through layer 2's own SR and the forwarder's new offset: the keyframe's capture time
        // maps to the timestamp it was sent with.
        let after = SenderReportClock.rtpTimestamp(at: Self.ntp(1005.1), senderNTP: Self.ntp(1000.05),
                                                   senderRTP: Self.layer2(0.05), clockOffset: offset, clockRate: 90_000,
                                                   forwarderOffset: forwarder.timestampOffset)
        #expect(Self.near(after, switched.timestamp))
        // The old layer's SR with the new offset would be off by the bases' difference.
        let stale = SenderReportClock.rtpTimestamp(at: Self.ntp(1005.1), senderNTP: Self.ntp(1000.01),
                                                   senderRTP: Self.layer0(0.01), clockOffset: offset, clockRate: 90_000,
                                                   forwarderOffset: forwarder.timestampOffset)
        #expect(!Self.near(stale, switched.timestamp))
    }

    @Test("times before the publisher's SR, whole seconds, and RTP wrap")
    func arithmetic() {
        let offset: UInt64 = 0
        #expect(SenderReportClock.rtpTimestamp(at: Self.ntp(10), senderNTP: Self.ntp(12), senderRTP: 96_000,
                                               clockOffset: offset, clockRate: 48_000, forwarderOffset: 0) == 0)
        #expect(SenderReportClock.rtpTimestamp(at: Self.ntp(20.5), senderNTP: Self.ntp(10), senderRTP: UInt32.max,
                                               clockOffset: offset, clockRate: 90_000, forwarderOffset: 1)
            == UInt32.max &+ 945_000 &+ 1)
    }
}
