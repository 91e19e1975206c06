@testable import StreamLyTranscode
import Testing

@Suite struct AVCCodecStringTests {
    // SPS of a libx264 High profile, level 3.1 stream: 67 64 00 1f ...
    private let sps: [UInt8] = [0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9, 0x40, 0x50]
    private let pps: [UInt8] = [0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0]

    @Test func annexBWithFourAndThreeByteStartCodes() {
        let data = [0, 0, 0, 1] + sps + [0, 0, 1] + pps
        #expect(AVCCodecString.make(extradata: data) == "avc1.64001f")
        #expect(Array(AVCCodecString.firstSPS(in: data) ?? []) == sps)
    }

    @Test func annexBWithSPSAfterOtherUnits() {
        let sei: [UInt8] = [0x06, 0x05, 0x01, 0xFF]
        let baseline: [UInt8] = [0x67, 0x42, 0xC0, 0x1E, 0x8C]
        #expect(AVCCodecString.make(extradata: [0, 0, 0, 1] + sei + [0, 0, 0, 1] + baseline) == "avc1.42c01e")
    }

    @Test func avcCRecord() {
        let record: [UInt8] = [1, 0x64, 0x00, 0x28, 0xFF, 0xE1, 0x00, UInt8(sps.count)] + sps + [1, 0, UInt8(pps.count)] + pps
        #expect(AVCCodecString.make(extradata: record) == "avc1.64001f")
    }

    @Test func noSPS() {
        #expect(AVCCodecString.make(extradata: []) == nil)
        #expect(AVCCodecString.make(extradata: [0, 0, 0, 1] + pps) == nil)
        #expect(AVCCodecString.make(extradata: [1, 0x64, 0, 0x28, 0xFF, 0xE1, 0x00, 0x20]) == nil)  // truncated
        #expect(AVCCodecString.make(extradata: [0, 0, 1, 0x67, 0x64]) == nil)  // too short
    }
}
