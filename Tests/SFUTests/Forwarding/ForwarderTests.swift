import StreamLySFU
import Testing

@Suite("Forwarder: drop, rewrite and switch layers")
struct ForwarderTests {
    static let ms: UInt64 = 1_000_000

    func input(layer: Int, seq: UInt16, ts: UInt32, key: Bool = false, marker: Bool = true, picture: UInt16? = nil,
               tl0: UInt8? = nil, at time: UInt64) -> ForwarderInput {
        ForwarderInput(layer: layer, sequenceNumber: seq, timestamp: ts, marker: marker, isKeyframe: key,
                       pictureID: picture, tl0PicIdx: tl0, arrival: time)
    }

    func rewrite(_ decision: ForwarderDecision) -> ForwarderRewrite? {
        if case .forward(let rewrite) = decision { return rewrite }
        return nil
    }

    @Test func waitsForAKeyframeThenForwardsUnchanged() {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        #expect(forwarder.wantedKeyframeLayer == 0)
        #expect(forwarder.decide(input(layer: 0, seq: 10, ts: 1000, at: 0)) == .drop(.awaitingKeyframe))
        let first = rewrite(forwarder.decide(input(layer: 0, seq: 11, ts: 4000, key: true, at: 1)))
        #expect(first == ForwarderRewrite(sequenceNumber: 11, timestamp: 4000, switchedToLayer: 0))
        #expect(forwarder.wantedKeyframeLayer == nil)
        #expect(rewrite(forwarder.decide(input(layer: 0, seq: 12, ts: 7000, at: 2)))?.sequenceNumber == 12)
        #expect(forwarder.decide(input(layer: 1, seq: 500, ts: 9, key: true, at: 2)) == .drop(.otherLayer))
    }

    @Test func switchKeepsSequenceTimestampAndPictureIDContinuous() throws {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        _ = forwarder.decide(input(layer: 0, seq: 100, ts: 90_000, key: true, picture: 7, tl0: 3, at: 0))
        let last = try #require(rewrite(forwarder.decide(input(layer: 0, seq: 101, ts: 93_000, picture: 8, tl0: 4, at: 33 * Self.ms))))
        forwarder.setTargetLayer(2)
        #expect(forwarder.wantedKeyframeLayer == 2)
        // The current layer keeps flowing until the target's keyframe.
        #expect(forwarder.decide(input(layer: 2, seq: 5000, ts: 1_000_000, picture: 900, tl0: 200, at: 40 * Self.ms)) == .drop(.awaitingKeyframe))
        let switched = try #require(rewrite(forwarder.decide(
            input(layer: 2, seq: 5001, ts: 1_003_000, key: true, picture: 901, tl0: 201, at: 66 * Self.ms))))
        #expect(switched.switchedToLayer == 2)
        #expect(switched.sequenceNumber == last.sequenceNumber &+ 1)
        // 33 ms later in wall time: 2970 ticks at 90 kHz.
        #expect(switched.timestamp == last.timestamp &+ 2970)
        #expect(switched.pictureID == last.pictureID! &+ 1)
        #expect(switched.tl0PicIdx == last.tl0PicIdx! &+ 1)
        let next = try #require(rewrite(forwarder.decide(input(layer: 2, seq: 5002, ts: 1_006_000, picture: 902, tl0: 202, at: 99 * Self.ms))))
        #expect(next.sequenceNumber == switched.sequenceNumber &+ 1)
        #expect(next.timestamp == switched.timestamp &+ 3000)
        #expect(next.pictureID == switched.pictureID! &+ 1)
        // The old layer is now dropped, and so is a reordered packet from before the switch point.
        #expect(forwarder.decide(input(layer: 0, seq: 102, ts: 96_000, at: 100 * Self.ms)) == .drop(.otherLayer))
        #expect(forwarder.decide(input(layer: 2, seq: 5000, ts: 1_000_000, at: 101 * Self.ms)) == .drop(.beforeSwitch))
    }

    @Test func unfinishedFrameBeforeASwitchLeavesAGap() throws {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        _ = forwarder.decide(input(layer: 0, seq: 1, ts: 0, key: true, at: 0))
        let last = try #require(rewrite(forwarder.decide(input(layer: 0, seq: 2, ts: 0, marker: false, at: 1))))
        forwarder.setTargetLayer(1)
        let switched = try #require(rewrite(forwarder.decide(input(layer: 1, seq: 70, ts: 5, key: true, at: 2))))
        #expect(switched.sequenceNumber == last.sequenceNumber &+ 2)
        #expect(rtpTimestamp(switched.timestamp, isNewerThan: last.timestamp))
    }

    @Test func sequenceNumbersWrapAround() throws {
        var forwarder = Forwarder(clockRate: 48_000, targetLayer: 0)
        _ = forwarder.decide(input(layer: 0, seq: 65_535, ts: UInt32.max, key: true, at: 0))
        let wrapped = try #require(rewrite(forwarder.decide(input(layer: 0, seq: 0, ts: 959, key: true, at: 20 * Self.ms))))
        #expect(wrapped.sequenceNumber == 0)
        #expect(wrapped.timestamp == 959)
    }

    @Test func muteAndOffStopForwardingAndResumeOnAKeyframe() throws {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        _ = forwarder.decide(input(layer: 0, seq: 1, ts: 0, key: true, at: 0))
        let last = try #require(rewrite(forwarder.decide(input(layer: 0, seq: 2, ts: 3000, at: 33 * Self.ms))))
        forwarder.setMuted(true)
        #expect(forwarder.wantedKeyframeLayer == nil)
        #expect(forwarder.decide(input(layer: 0, seq: 3, ts: 6000, key: true, at: 66 * Self.ms)) == .drop(.paused))
        forwarder.setMuted(false)
        #expect(forwarder.decide(input(layer: 0, seq: 4, ts: 9000, at: 99 * Self.ms)) == .drop(.awaitingKeyframe))
        let resumed = try #require(rewrite(forwarder.decide(input(layer: 0, seq: 5, ts: 12_000, key: true, at: 132 * Self.ms))))
        // The packets not sent leave no gap in the subscriber's numbering.
        #expect(resumed.sequenceNumber == last.sequenceNumber &+ 1)
        #expect(resumed.timestamp == last.timestamp &+ 8910)
        forwarder.setTargetLayer(nil)
        #expect(forwarder.decide(input(layer: 0, seq: 6, ts: 15_000, key: true, at: 165 * Self.ms)) == .drop(.paused))
    }

    @Test func sevenBitPictureIDsWrapWithinSevenBits() throws {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        var first = input(layer: 0, seq: 1, ts: 0, key: true, picture: 127, at: 0)
        first.pictureIDMask = 0x7F
        _ = forwarder.decide(first)
        var next = input(layer: 0, seq: 2, ts: 3000, picture: 0, at: 1)
        next.pictureIDMask = 0x7F
        #expect(rewrite(forwarder.decide(next))?.pictureID == 0)
    }
}
