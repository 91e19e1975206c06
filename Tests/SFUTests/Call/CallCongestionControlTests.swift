import NIOCore
import NIOEmbedded
import StreamLySFU
import Testing

/// Transport-wide congestion control and sender reports through a whole call (transport doubles).
@Suite("Call: transport-cc both ways and sender reports (transport double)")
struct CallCongestionControlTests {
    let helpers = CallTests()

    /// aiortc's offer with transport-wide-cc (id 5) and its feedback added, as Chromium offers them.
    func offerWithTransportCC() throws -> String {
        try Fixtures.sdp("aiortc-offer-sendonly")
            .replacingOccurrences(of: "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n",
                                  with: "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
                                      + "a=extmap:5 \(SDPExtMap.transportWideCCURI)\r\n")
            .replacingOccurrences(of: "a=rtcp-fb:97 goog-remb\r\n", with: "a=rtcp-fb:97 goog-remb\r\na=rtcp-fb:97 transport-cc\r\n")
    }

    /// A VP8 packet carrying transport-wide sequence number `transport` in extension id 5.
    func vp8(seq: UInt16, transport: UInt16, keyframe: Bool) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [0x90, 97])
        buffer.writeInteger(seq)
        buffer.writeInteger(UInt32(seq) * 3000)
        buffer.writeInteger(CallTests.aiortcVideoSSRC)
        buffer.writeBytes([0xBE, 0xDE, 0x00, 0x01, 0x51])
        buffer.writeInteger(transport)
        buffer.writeInteger(UInt8(0))
        buffer.writeBytes([0x90, 0x80])
        buffer.writeInteger(0x8000 | seq)
        buffer.writeBytes([keyframe ? 0x00 : 0x01, 0x11, 0x22, 0x33])
        return buffer
    }

    @Test func feedbackToThePublisherNumberedPacketsAndAnEstimateForTheSubscriber() throws {
        let loop = EmbeddedEventLoop()
        let call = helpers.makeCall(loop)
        let a = CallTests.Member(id: "a"), b = CallTests.Member(id: "b")
        _ = try helpers.join(call, a)
        _ = try helpers.join(call, b)
        let published = try call.publish("a", offer: try offerWithTransportCC())
        let answer = try SessionDescription.parse(published.sdp)
        #expect(answer.media[0].extmapID(for: SDPExtMap.transportWideCCURI) == 5)
        #expect(answer.media[0].rtcpFeedback.contains { $0.type == "transport-cc" })
        let offer = try #require(b.listener.offers.last)
        #expect(try SessionDescription.parse(offer).media[0].extmapID(for: SDPExtMap.transportWideCCURI) == 4)
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: offer))

        // Publisher side: 20 packets, transport-wide number 4 lost; the 40 ms tick reports them.
        let publisher = try #require(call.participant("a"))
        for index in 0..<21 where index != 3 {
            call.publishedRTP(publisher, vp8(seq: UInt16(100 + index), transport: UInt16(index + 1), keyframe: index == 0))
        }
        loop.advanceTime(by: .milliseconds(40))
        let feedbacks = a.pub.rtcpPackets.compactMap { packet -> RTCPTransportFeedback? in
            if case .transportFeedback(let feedback) = packet { return feedback }
            return nil
        }
        let reported = try #require(feedbacks.first).packets
        #expect(reported.map(\.sequenceNumber) == Array(1...21))
        #expect(reported.filter { $0.arrival == nil }.map(\.sequenceNumber) == [4])

        // Subscriber side: every forwarded packet carries the next transport-wide number (id 4).
        let forwarded = b.sub.rtpPackets
        #expect(forwarded.count == 20)
        let numbers = forwarded.compactMap { $0.headerExtension(id: 4)?.getInteger(at: 0, as: UInt16.self) }
        #expect(numbers == Array(1...20))
        // b reports them arriving 5 ms apart with one lost: an estimate once a second.
        var receiver = TransportFeedbackGenerator()
        for (index, number) in numbers.enumerated() where index != 7 {
            receiver.received(number, now: UInt64(index) * 5_000_000)
        }
        var rtcp = ByteBuffer()
        let made = receiver.feedback(senderSSRC: 9, mediaSSRC: 0)
        try #require(made).write(to: &rtcp)
        let subscriber = try #require(call.participant("b"))
        call.subscriberRTCP(subscriber, rtcp)
        #expect(subscriber.downlinkEstimate == nil)
        loop.advanceTime(by: .seconds(1))
        #expect(subscriber.downlinkEstimate != nil)
    }

    @Test func senderReportsMapThroughThePublishersReport() throws {
        let loop = EmbeddedEventLoop()
        let call = helpers.makeCall(loop)
        let a = CallTests.Member(id: "a"), b = CallTests.Member(id: "b")
        _ = try helpers.join(call, a)
        _ = try helpers.join(call, b)
        _ = try call.publish("a", offer: try Fixtures.sdp("aiortc-offer-sendonly"))
        try call.subscribeAnswer("b", answer: try helpers.clientAnswer(to: try #require(b.listener.offers.last)))
        let publisher = try #require(call.participant("a"))
        call.publishedRTP(publisher, helpers.vp8(seq: 1, ts: 1000, keyframe: true, pictureID: 1))
        let sent = try #require(b.sub.rtpPackets.first)
        // The publisher's SR: RTP 5 000 000 at its NTP time 1000 s.
        var report = ByteBuffer()
        RTCPSenderReport(ssrc: CallTests.aiortcVideoSSRC, ntpTimestamp: 1000 << 32, rtpTimestamp: 5_000_000,
                         packetCount: 1, octetCount: 100).write(to: &report)
        call.publishedRTCP(publisher, report)
        loop.advanceTime(by: .seconds(1))
        let ours = b.sub.rtcpPackets.compactMap { packet -> RTCPSenderReport? in
            if case .senderReport(let sr) = packet, sr.ssrc == sent.ssrc { return sr }
            return nil
        }
        let sr = try #require(ours.last)
        // Mapped through the publisher's SR (the forwarder added nothing to the first layer's
        // timestamps): 5 000 000 plus the real time since it arrived, not the last packet's 1000.
        let distance = sr.rtpTimestamp &- 5_000_000
        #expect(distance < 90_000 * 5, "\(sr.rtpTimestamp)")
    }
}
