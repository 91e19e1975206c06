import NIOCore
import StreamLySFU
import Testing

@Suite("VP8 payload descriptor and keyframe detection")
struct VP8AndH264Tests {
    func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    @Test func parsesTheSimulcastDescriptor() throws {
        // X=1 S=1 PID=0 | I L T | M=1 pictureID 0x1234 | TL0PICIDX 9 | TID 2 Y=1 | VP8 header P=0
        let payload = buffer([0x90, 0xE0, 0x92, 0x34, 0x09, 0xA0, 0x10, 0x02, 0x00])
        let descriptor = try #require(VP8PayloadDescriptor.parse(payload))
        #expect(descriptor.pictureID == 0x1234)
        #expect(descriptor.pictureIDIs15Bit)
        #expect(descriptor.tl0PicIdx == 9)
        #expect(descriptor.temporalLayer == 2)
        #expect(descriptor.layerSync)
        #expect(descriptor.length == 6)
        #expect(descriptor.isKeyframeStart(in: payload))
        #expect(KeyframeDetector.isKeyframe(payload, codec: .vp8))
    }

    @Test func interFramesAndContinuationsAreNotKeyframes() {
        #expect(!KeyframeDetector.isKeyframe(buffer([0x90, 0x80, 0x81, 0x01, 0x01]), codec: .vp8))  // P=1
        #expect(!KeyframeDetector.isKeyframe(buffer([0x80, 0x80, 0x81, 0x01, 0x00]), codec: .vp8))  // S=0
        #expect(!KeyframeDetector.isKeyframe(buffer([0x91, 0x00]), codec: .vp8))  // PID=1
        #expect(!KeyframeDetector.isKeyframe(buffer([0x90, 0x80]), codec: .vp8))  // truncated
        #expect(!KeyframeDetector.isKeyframe(buffer([]), codec: .vp8))
    }

    @Test func rewritesPictureIDAndTL0InPlace() throws {
        var packet = buffer([0xAA, 0x90, 0xC0, 0x92, 0x34, 0x09, 0x00])
        let payload = packet.getSlice(at: 1, length: 6)!
        let descriptor = try #require(VP8PayloadDescriptor.parse(payload))
        descriptor.rewrite(&packet, payloadOffset: 1, pictureID: 0x0102, tl0PicIdx: 77)
        #expect(Array(packet.readableBytesView) == [0xAA, 0x90, 0xC0, 0x81, 0x02, 77, 0x00])
    }

    @Test func sevenBitPictureID() throws {
        let descriptor = try #require(VP8PayloadDescriptor.parse(buffer([0x90, 0x80, 0x05, 0x00])))
        #expect(descriptor.pictureID == 5)
        #expect(!descriptor.pictureIDIs15Bit)
        #expect(descriptor.pictureIDMask == 0x7F)
    }

    @Test func h264KeyframesAsChromiumSendsThem() {
        // STAP-A [SPS, PPS]
        #expect(KeyframeDetector.isKeyframe(buffer([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE]), codec: .h264))
        // FU-A start of an IDR
        #expect(KeyframeDetector.isKeyframe(buffer([0x7C, 0x85, 0x88]), codec: .h264))
        // FU-A continuation of an IDR, a non-IDR slice, a single IDR NAL
        #expect(!KeyframeDetector.isKeyframe(buffer([0x7C, 0x05, 0x88]), codec: .h264))
        #expect(!KeyframeDetector.isKeyframe(buffer([0x41, 0x9A]), codec: .h264))
        #expect(KeyframeDetector.isKeyframe(buffer([0x65, 0x88]), codec: .h264))
        // STAP-A whose size runs past the end
        #expect(!KeyframeDetector.isKeyframe(buffer([0x78, 0xFF, 0xFF, 0x41]), codec: .h264))
    }
}
