import StreamLySFU
import Testing

/// VP8 L1T3 as Chromium sends it (SFU-NOTES §7): TIDs 0 2 1 2 0 2 1 2 …, TL0PICIDX counting TL0
/// pictures, a 15-bit picture id per picture.
@Suite("Forwarder: VP8 temporal-layer filtering")
struct TemporalFilteringTests {
    static let pattern: [UInt8] = [0, 2, 1, 2]

    /// Picture `index` (0-based) as `packets` packets; sequence numbers from 1000.
    static func picture(_ index: Int, packets: Int = 1, sync: Bool = false, key: Bool = false) -> [ForwarderInput] {
        let tid = pattern[index % 4]
        return (0..<packets).map { part in
            ForwarderInput(sequenceNumber: UInt16(1000 + index * packets + part), timestamp: UInt32(index * 3000),
                           marker: part == packets - 1, isKeyframe: key && part == 0,
                           pictureID: UInt16(500 + index), tl0PicIdx: UInt8(truncatingIfNeeded: 40 + index / 4),
                           temporalLayer: tid, layerSync: sync || tid == 0, isFrameStart: part == 0,
                           arrival: UInt64(index) * 33_000_000)
        }
    }

    static func forwarded(_ forwarder: inout Forwarder, _ inputs: [ForwarderInput]) -> [ForwarderRewrite] {
        inputs.compactMap { input in
            if case .forward(let rewrite) = forwarder.decide(input) { return rewrite }
            return nil
        }
    }

    @Test("all layers pass by default")
    func allLayers() {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        let out = Self.forwarded(&forwarder, (0..<8).flatMap { Self.picture($0, key: $0 == 0) })
        #expect(out.count == 8)
        #expect(out.map(\.sequenceNumber) == Array(1000...1007))
    }

    @Test("TL0 only: every other picture and TL1 dropped, numbers stay continuous")
    func baseLayerOnly() {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        forwarder.setTargetTemporalLayer(0)
        let out = Self.forwarded(&forwarder, (0..<12).flatMap { Self.picture($0, packets: 2, key: $0 == 0) })
        // Pictures 0, 4, 8 (TL0), two packets each.
        #expect(out.count == 6)
        #expect(out.map(\.sequenceNumber) == Array(1000...1005))
        #expect(out.map(\.pictureID) == [500, 500, 501, 501, 502, 502])
        #expect(out.map(\.tl0PicIdx) == [40, 40, 41, 41, 42, 42])
        #expect(out.map(\.timestamp) == [0, 0, 12_000, 12_000, 24_000, 24_000])
    }

    @Test("going down waits for the next picture; going up waits for a layer-sync picture")
    func switching() {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        var out = Self.forwarded(&forwarder, (0..<2).flatMap { Self.picture($0, packets: 2, key: $0 == 0) })
        #expect(out.count == 4)
        // Down to TL1 in the middle of picture 2 (TID 1): its second packet still goes.
        let third = Self.picture(2, packets: 2)
        out = Self.forwarded(&forwarder, [third[0]])
        forwarder.setTargetTemporalLayer(1)
        out += Self.forwarded(&forwarder, [third[1]])
        #expect(out.map(\.sequenceNumber) == [1004, 1005])
        // Picture 3 (TID 2) is dropped; picture 4 (TL0) follows without a gap.
        out = Self.forwarded(&forwarder, Self.picture(3, packets: 2) + Self.picture(4, packets: 2))
        #expect(out.map(\.sequenceNumber) == [1006, 1007])
        #expect(out.map(\.pictureID) == [503, 503])
        // Back up to all layers: picture 5 (TID 2) without Y is still dropped…
        forwarder.setTargetTemporalLayer(.max)
        // (Two packets a picture throughout: the helper numbers packets by picture index × packets.)
        out = Self.forwarded(&forwarder, Self.picture(5, packets: 2) + Self.picture(6, packets: 2))
        #expect(out.map(\.pictureID) == [504, 504])  // picture 6 is TID 1, allowed up to TL1
        #expect(out.map(\.sequenceNumber) == [1008, 1009])
        // …picture 7 (TID 2) with Y=1 switches up.
        out = Self.forwarded(&forwarder, Self.picture(7, packets: 2, sync: true))
        #expect(out.map(\.pictureID) == [505, 505])
        #expect(out.map(\.sequenceNumber) == [1010, 1011])
        #expect(forwarder.currentTemporalLayer == 2)
    }

    @Test("a late packet of a forwarded picture gets the numbers it would have had")
    func latePacket() throws {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        forwarder.setTargetTemporalLayer(0)
        let pictures = (0..<9).map { Self.picture($0, packets: 2, key: $0 == 0) }
        // Picture 4's second packet is held back (reordered / resent after a NACK).
        var inputs = pictures.flatMap { $0 }
        let late = inputs.remove(at: 9)
        let out = Self.forwarded(&forwarder, inputs)
        #expect(out.map(\.sequenceNumber) == [1000, 1001, 1002, 1004, 1005])
        let resent = try #require(Self.forwarded(&forwarder, [late]).first)
        #expect(resent.sequenceNumber == 1003)
        #expect(resent.pictureID == 501)
    }

    @Test("streams without TIDs pass whole whatever the target")
    func noTemporalInfo() {
        var forwarder = Forwarder(clockRate: 90_000, targetLayer: 0)
        forwarder.setTargetTemporalLayer(0)
        let inputs = (0..<4).map {
            ForwarderInput(sequenceNumber: UInt16($0), timestamp: 0, isKeyframe: $0 == 0, pictureID: UInt16($0), arrival: 0)
        }
        #expect(Self.forwarded(&forwarder, inputs).count == 4)
    }

    @Test("temporal layer choice: all when the layer fits, else the highest share that fits")
    func selection() {
        #expect(LayerSelector.temporalLayer(bitrate: 150_000, estimate: nil) == .max)
        #expect(LayerSelector.temporalLayer(bitrate: 150_000, estimate: 200_000) == .max)
        #expect(LayerSelector.temporalLayer(bitrate: 150_000, estimate: 100_000) == 1)
        #expect(LayerSelector.temporalLayer(bitrate: 150_000, estimate: 70_000) == 0)
        #expect(LayerSelector.temporalLayer(bitrate: 150_000, estimate: 10_000) == 0)
    }
}
