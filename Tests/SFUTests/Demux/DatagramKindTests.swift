import NIOCore
import StreamLySFU
import Testing

@Suite("Demultiplexing the media port (RFC 7983 §7, RFC 5761 §4)")
struct DatagramKindTests {
    private func kind(_ bytes: [UInt8]) -> DatagramKind {
        DatagramKind.classify(ByteBuffer(bytes: bytes))
    }

    @Test("first byte ranges")
    func firstByte() {
        #expect(kind([0x00, 0x01]) == .stun)
        #expect(kind([0x03]) == .stun)
        #expect(kind([0x10]) == .zrtp)
        #expect(kind([0x16, 0xFE, 0xFD]) == .dtls)
        #expect(kind([0x40]) == .turnChannel)
        #expect(kind([0xC0]) == .unknown)
        #expect(kind([0x80]) == .unknown)
        #expect(kind([]) == .unknown)
    }

    @Test("RTP vs RTCP by payload type 64–95 (packet types 192–223)")
    func rtpOrRtcp() {
        #expect(kind([0x80, 96]) == .rtp)
        #expect(kind([0x80, 0x80 | 111]) == .rtp)
        #expect(kind([0x80, 200]) == .rtcp)
        #expect(kind([0x81, 205]) == .rtcp)
        #expect(kind([0x81, 206]) == .rtcp)
        #expect(kind([0x80, 192]) == .rtcp)
        #expect(kind([0x80, 223]) == .rtcp)
        #expect(kind([0x80, 224]) == .rtp)
        #expect(kind([0x80, 63]) == .rtp)
    }
}
