import Crypto
import NIOCore
import StreamLySFU
import Testing

@Suite("Relay wire: datagram header, hello, keys, sealed state")
struct RelayWireTests {
    static let secret = "relay-unit-tests-cluster-secret-0123456789"

    @Test func headerGoldenBytesAndRoundTrip() {
        var buffer = ByteBuffer()
        RelayDatagram(kind: .srtp, linkID: 0x0102_0304).write(to: &buffer)
        #expect(Array(buffer.readableBytesView) == [0xD7, 4, 0, 0, 1, 2, 3, 4])
        buffer.writeBytes([0x80, 0x60])
        #expect(RelayDatagram.parse(&buffer) == RelayDatagram(kind: .srtp, linkID: 0x0102_0304))
        #expect(buffer.readableBytes == 2)
    }

    @Test func headerRefusesOtherTraffic() {
        for bytes: [UInt8] in [[], [0xD7, 4, 0, 0, 1, 2, 3], [0x80, 4, 0, 0, 1, 2, 3, 4], [0xD7, 9, 0, 0, 1, 2, 3, 4], [0xD7, 0, 0, 0, 0, 0, 0, 0]] {
            var buffer = ByteBuffer(bytes: bytes)
            #expect(RelayDatagram.parse(&buffer) == nil)
            #expect(buffer.readableBytes == bytes.count)
        }
        var oversized = ByteBuffer(bytes: [0xD7, 4, 0, 0, 1, 2, 3, 4] + Array(repeating: 0, count: RelayDatagram.maximumLength))
        #expect(RelayDatagram.parse(&oversized) == nil)
    }

    func hello() -> RelayHello {
        RelayHello(senderLinkID: 77, nonce: RelayHello.randomNonce(), timeMilliseconds: 1_700_000_000_000, instance: 5, call: "channel-1")
    }

    @Test func helloRoundTripsAndAuthenticates() {
        let key = RelayKeys.helloKey(secret: Self.secret)
        let sent = hello()
        var buffer = ByteBuffer()
        sent.write(kind: .hello, receiverLinkID: 0, key: key, to: &buffer)
        var datagram = buffer
        #expect(RelayDatagram.parse(&datagram)?.kind == .hello)
        #expect(RelayHello.parse(datagram: datagram, key: key) == sent)
        // Another cluster's secret, a flipped bit anywhere, a truncation: refused.
        #expect(RelayHello.parse(datagram: datagram, key: RelayKeys.helloKey(secret: "another-cluster-secret-0123456789abcdef")) == nil)
        for index in 0..<buffer.readableBytes {
            var tampered = buffer
            tampered.setInteger(tampered.getInteger(at: index, as: UInt8.self)! ^ 0x01, at: index)
            if var body = Optional(tampered), RelayDatagram.parse(&body) != nil {
                #expect(RelayHello.parse(datagram: body, key: key) == nil, "bit flipped at \(index)")
            }
        }
        for length in RelayDatagram.headerLength..<buffer.readableBytes {
            var truncated = buffer.getSlice(at: 0, length: length)!
            _ = RelayDatagram.parse(&truncated)
            #expect(RelayHello.parse(datagram: truncated, key: key) == nil)
        }
    }

    @Test func keysMirrorEachOtherAndDependOnNoncesAndCall() {
        let a = RelayHello.randomNonce(), b = RelayHello.randomNonce()
        let initiator = RelayKeys(secret: Self.secret, initiatorNonce: a, responderNonce: b, call: "c", isInitiator: true)
        let responder = RelayKeys(secret: Self.secret, initiatorNonce: a, responderNonce: b, call: "c", isInitiator: false)
        #expect(initiator.sendSRTP == responder.receiveSRTP)
        #expect(initiator.receiveSRTP == responder.sendSRTP)
        #expect(initiator.sendSRTP != initiator.receiveSRTP)
        #expect(initiator.sendSRTP.count == 30)
        #expect(initiator.sendState == responder.receiveState)
        let other = RelayKeys(secret: Self.secret, initiatorNonce: RelayHello.randomNonce(), responderNonce: b, call: "c", isInitiator: true)
        #expect(other.sendSRTP != initiator.sendSRTP)
        let otherCall = RelayKeys(secret: Self.secret, initiatorNonce: a, responderNonce: b, call: "d", isInitiator: true)
        #expect(otherCall.sendSRTP != initiator.sendSRTP)
    }

    func state() -> RelayState {
        let track = RelayState.Track(id: "t1", kind: "video", source: .camera, muted: false, mid: "0", payloadType: 97, codec: "VP8",
                                     clockRate: 90_000, channels: nil, fmtp: nil, rtxPayloadType: 98, rids: [], ssrcs: [1234],
                                     bitrates: [300_000], extensions: [1, 0, 0, 0, 2])
        return RelayState(participants: [.init(id: "p1", user: "u1", tracks: [track])], wants: ["p9/t3": [0, 2]])
    }

    @Test func stateSealsAndOpens() {
        let key = SymmetricKey(size: .bits128)
        var buffer = ByteBuffer()
        #expect(state().seal(receiverLinkID: 9, sequence: 42, key: key, into: &buffer))
        var datagram = buffer
        #expect(RelayDatagram.parse(&datagram) == RelayDatagram(kind: .state, linkID: 9))
        let opened = RelayState.open(datagram: datagram, key: key)
        #expect(opened?.sequence == 42)
        #expect(opened?.state == state())
        #expect(RelayState.open(datagram: datagram, key: SymmetricKey(size: .bits128)) == nil)
        // The header and the sequence number are authenticated too.
        for index in [4, 9, buffer.readableBytes - 1] {
            var tampered = buffer
            tampered.setInteger(tampered.getInteger(at: index, as: UInt8.self)! ^ 0x01, at: index)
            _ = RelayDatagram.parse(&tampered)
            #expect(RelayState.open(datagram: tampered, key: key) == nil, "byte \(index)")
        }
    }

    @Test func stateTooLongIsNotSent() {
        var big = state()
        big.wants = Dictionary(uniqueKeysWithValues: (0..<2_000).map { ("participant-\($0)/track", [0, 1, 2]) })
        var buffer = ByteBuffer()
        #expect(!big.seal(receiverLinkID: 1, sequence: 1, key: SymmetricKey(size: .bits128), into: &buffer))
        #expect(buffer.readableBytes == 0)
    }
}
