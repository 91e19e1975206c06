import NIOCore
import StreamLySFU
import Testing

@Suite("RTCP serialization: golden bytes and round trips")
struct RTCPSerializationTests {
    private func bytes(_ packet: some RTCPWritable) -> [UInt8] {
        Array(packet.serialized().readableBytesView)
    }

    @Test("PLI, NACK, FIR, REMB golden bytes")
    func golden() {
        #expect(bytes(RTCPPictureLossIndication(senderSSRC: 0x1111_1111, mediaSSRC: 0x2222_2222)) == RTCPSamples.pli)
        #expect(bytes(RTCPGenericNack(senderSSRC: 0x1111_1111, mediaSSRC: 0x2222_2222,
                                      items: RTCPNackItem.items(for: [100, 101, 103]))) == RTCPSamples.nack)
        #expect(bytes(RTCPFullIntraRequest(senderSSRC: 0x1111_1111, entries: [.init(ssrc: 0x2222_2222, sequenceNumber: 7)]))
            == RTCPSamples.fir)
        #expect(bytes(RTCPReceiverEstimatedMaxBitrate(senderSSRC: 0x1111_1111, bitrate: 1_000_000, ssrcs: [0x2222_2222]))
            == RTCPSamples.remb)
    }

    @Test("SR and RR golden bytes (the first and last packets of the compound sample, RR unpadded)")
    func reports() {
        let sr = RTCPSenderReport(ssrc: 0x1111_1111, ntpTimestamp: 0x0000_0001_0000_8000, rtpTimestamp: 90000,
                                  packetCount: 10, octetCount: 1000, reports: [
                                      RTCPReportBlock(ssrc: 0x2222_2222, fractionLost: 0x10, cumulativeLost: -2,
                                                      extendedHighestSequenceNumber: 0x0001_0064, jitter: 32,
                                                      lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 0x1000),
                                  ])
        #expect(bytes(sr) == Array(RTCPSamples.compound.prefix(52)))
        #expect(bytes(RTCPReceiverReport(ssrc: 0x3333_3333)) == hexBytes("80 c9 00 01 33 33 33 33"))
    }

    @Test("round trips through the iterator, written into one compound buffer")
    func roundTrip() throws {
        let block = RTCPReportBlock(ssrc: 9, fractionLost: 255, cumulativeLost: 0x7F_FFFF,
                                    extendedHighestSequenceNumber: 1, jitter: 2, lastSenderReport: 3,
                                    delaySinceLastSenderReport: 4)
        let rr = RTCPReceiverReport(ssrc: 1, reports: [block, block])
        let nack = RTCPGenericNack(senderSSRC: 1, mediaSSRC: 2, items: RTCPNackItem.items(for: Array(0..<40)))
        let remb = RTCPReceiverEstimatedMaxBitrate(senderSSRC: 1, bitrate: 262_143, ssrcs: [1, 2, 3])
        var buffer = ByteBuffer()
        rr.write(to: &buffer)
        nack.write(to: &buffer)
        remb.write(to: &buffer)
        #expect(try RTCPCompoundIterator.parse(buffer)
            == [.receiverReport(rr), .genericNack(nack), .receiverEstimatedMaxBitrate(remb)])
    }

    @Test("REMB: large bitrates lose only low mantissa bits; cumulative loss clamps to 24 bits")
    func limits() throws {
        let remb = RTCPReceiverEstimatedMaxBitrate(senderSSRC: 1, bitrate: 3_350_001, ssrcs: [])
        guard case .receiverEstimatedMaxBitrate(let parsed) = try RTCPCompoundIterator.parse(remb.serialized()).first
        else {
            Issue.record("expected REMB")
            return
        }
        #expect(parsed.bitrate <= 3_350_001 && parsed.bitrate > 3_350_001 - 16)
        let block = RTCPReportBlock(ssrc: 1, cumulativeLost: -10_000_000, extendedHighestSequenceNumber: 0)
        guard case .receiverReport(let rr) = try RTCPCompoundIterator
            .parse(RTCPReceiverReport(ssrc: 1, reports: [block]).serialized()).first
        else {
            Issue.record("expected RR")
            return
        }
        #expect(rr.reports.first?.cumulativeLost == -0x80_0000)
    }
}
