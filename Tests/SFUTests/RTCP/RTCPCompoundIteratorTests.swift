import NIOCore
import StreamLySFU
import Testing

@Suite("RTCP compound iteration and decoding")
struct RTCPCompoundIteratorTests {
    private func parse(_ bytes: [UInt8]) throws -> [RTCPPacket] {
        try RTCPCompoundIterator.parse(ByteBuffer(bytes: bytes))
    }

    @Test("SR + SDES + padded RR")
    func compound() throws {
        let packets = try parse(RTCPSamples.compound)
        #expect(packets.count == 3)
        guard case .senderReport(let sr) = packets[0], case .sourceDescription(let sdes) = packets[1],
              case .receiverReport(let rr) = packets[2] else {
            Issue.record("unexpected packets \(packets)")
            return
        }
        #expect(sr.ssrc == 0x1111_1111)
        #expect(sr.ntpTimestamp == 0x0000_0001_0000_8000)
        #expect(sr.compactNTP == 0x0001_0000)
        #expect(sr.rtpTimestamp == 90000)
        #expect(sr.packetCount == 10 && sr.octetCount == 1000)
        #expect(sr.reports == [RTCPReportBlock(ssrc: 0x2222_2222, fractionLost: 0x10, cumulativeLost: -2,
                                               extendedHighestSequenceNumber: 0x0001_0064, jitter: 32,
                                               lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 0x1000)])
        #expect(sdes.count == 1)
        #expect(rr.ssrc == 0x3333_3333 && rr.reports.isEmpty)
    }

    @Test("feedback: NACK, PLI, FIR, REMB, transport-cc header; BYE; APP is other")
    func feedback() throws {
        #expect(try parse(RTCPSamples.nack)
            == [.genericNack(RTCPGenericNack(senderSSRC: 0x1111_1111, mediaSSRC: 0x2222_2222,
                                             items: [RTCPNackItem(packetID: 100, lostBitmask: 5)]))])
        #expect(try parse(RTCPSamples.pli)
            == [.pictureLossIndication(RTCPPictureLossIndication(senderSSRC: 0x1111_1111, mediaSSRC: 0x2222_2222))])
        #expect(try parse(RTCPSamples.fir)
            == [.fullIntraRequest(RTCPFullIntraRequest(senderSSRC: 0x1111_1111,
                                                       entries: [.init(ssrc: 0x2222_2222, sequenceNumber: 7)]))])
        #expect(try parse(RTCPSamples.remb)
            == [.receiverEstimatedMaxBitrate(RTCPReceiverEstimatedMaxBitrate(senderSSRC: 0x1111_1111,
                                                                             bitrate: 1_000_000,
                                                                             ssrcs: [0x2222_2222]))])
        guard case .transportFeedback(let twcc) = try parse(RTCPSamples.transportCC).first else {
            Issue.record("expected transport-cc")
            return
        }
        #expect(twcc.baseSequenceNumber == 1 && twcc.packetStatusCount == 2)
        #expect(twcc.referenceTime == -1 && twcc.feedbackPacketCount == 5)
        #expect(twcc.chunks.readableBytes == 4)
        #expect(try parse(RTCPSamples.bye) == [.goodbye(RTCPGoodbye(ssrcs: [0x1111_1111, 0x2222_2222], reason: "bye"))])
        guard case .other(let header, let body) = try parse(RTCPSamples.app).first else {
            Issue.record("expected other")
            return
        }
        #expect(header.packetType == .application && body.readableBytes == 8)
    }

    @Test("NACK items expand to lost sequence numbers, wrapping")
    func nackItems() {
        #expect(RTCPNackItem(packetID: 100, lostBitmask: 5).lostSequenceNumbers == [100, 101, 103])
        #expect(RTCPNackItem(packetID: 65535, lostBitmask: 1).lostSequenceNumbers == [65535, 0])
        let items = RTCPNackItem.items(for: [100, 101, 103, 116, 117, 117, 200])
        #expect(items == [RTCPNackItem(packetID: 100, lostBitmask: 0b1000_0000_0000_0101),
                          RTCPNackItem(packetID: 117), RTCPNackItem(packetID: 200)])
        #expect(items.flatMap(\.lostSequenceNumbers) == [100, 101, 103, 116, 117, 200])
        #expect(RTCPNackItem.items(for: [65534, 1]).flatMap(\.lostSequenceNumbers) == [65534, 1])
    }

    @Test("errors: truncation, version, padding not last, short bodies; earlier packets already returned")
    func errors() throws {
        func code(_ bytes: [UInt8]) -> RTPPacketError.Code? {
            do {
                _ = try RTCPCompoundIterator.parse(ByteBuffer(bytes: bytes))
                return nil
            } catch {
                return error.code
            }
        }
        // Every prefix but the two that end on a packet boundary (after SR: 52, after SDES: 64).
        for length in 1..<RTCPSamples.compound.count where length != 52 && length != 64 {
            #expect(code(Array(RTCPSamples.compound.prefix(length))) != nil)
        }
        #expect(code([0x41] + RTCPSamples.pli.dropFirst()) == .badVersion)
        #expect(code(RTCPSamples.pli + [0x80]) == .truncated)
        var paddedFirst = RTCPSamples.compound
        paddedFirst[0] |= 0x20
        #expect(code(paddedFirst) == .badPadding)
        var zeroPadding = RTCPSamples.pli
        zeroPadding[0] |= 0x20
        zeroPadding[11] = 0
        #expect(code(zeroPadding) == .badPadding)
        #expect(code(hexBytes("81 c8 00 01 11 11 11 11")) == .badBody)  // SR without sender info
        #expect(code(hexBytes("81 c9 00 01 11 11 11 11")) == .badBody)  // RR with RC 1, no block
        #expect(code(hexBytes("81 cd 00 02 11 11 11 11 22 22 22 22")) == .badBody)  // NACK without FCI
        #expect(code(hexBytes("84 ce 00 02 11 11 11 11 00 00 00 00")) == .badBody)  // FIR without FCI
        #expect(code(hexBytes("8f ce 00 04 11 11 11 11 00 00 00 00 52 45 4d 42 05 0b d0 90")) == .badBody)

        var iterator = RTCPCompoundIterator(ByteBuffer(bytes: RTCPSamples.pli + [0x80, 0xC9]))
        #expect(try iterator.next() != nil)
        #expect(throws: RTPPacketError.self) { try iterator.next() }
        #expect(try iterator.next() == nil)
    }

    @Test("an empty datagram has no packets")
    func empty() throws {
        #expect(try parse([]).isEmpty)
    }
}
