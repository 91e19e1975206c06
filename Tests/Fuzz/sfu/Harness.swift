// libFuzzer target `sfu` (Tests/Fuzz/run.sh sfu): every parser of bytes a WebRTC peer sends
// the SFU. Not part of any SwiftPM target: run.sh links it against an instrumented build of
// StreamLySFU.
//
// Input layout: byte 0 selects the parser (value % 4), the rest is what the peer sent:
//   0  a STUN datagram: parse, every attribute reader, integrity and fingerprint checks,
//      re-serialisation, and the ICE-lite binding state machine (credentials of RFC 5769 §2.1,
//      so the RFC's request passes integrity and reaches the deeper states)
//   1  an RTP packet: parse, readers, header extensions, in-place rewrites
//   2  an RTCP compound: iteration and every reader of every packet
//   3  an SDP (as UTF-8, lossily): parse; what parses serialises to text that parses and
//      serialises to the same text (a fixpoint)
// Every input is also classified by the datagram demultiplexer (RFC 7983).
//
// Checked invariants (a violation traps, which libFuzzer reports as a crash): nothing traps;
// the only errors are the parsers' own error types (typed throws); everything the ICE-lite
// machine answers parses, carries the request's transaction id and a valid fingerprint; an RTP
// rewrite reads back the value written; SDP serialisation is a fixpoint.
import NIOCore
import StreamLySFU

let local = IceCredentials(ufrag: "evtj", password: "VOkJxbRl1RmTxUk/WvJxBt")
let tuple = FiveTuple(local: TransportAddress(ip: IPAddress(192, 0, 2, 1), port: 10000),
                      remote: TransportAddress(ip: IPAddress(192, 0, 2, 2), port: 32853))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let selector = input.first else { return 0 }
    let body = ByteBuffer(bytes: input.dropFirst())
    _ = DatagramKind.classify(body)
    switch selector % 4 {
    case 0: checkSTUN(body)
    case 1: checkRTP(body)
    case 2: checkRTCP(body)
    default: checkSDP(String(decoding: body.readableBytesView, as: UTF8.self))
    }
    return 0
}

func checkSTUN(_ datagram: ByteBuffer) {
    _ = StunMessage.isSTUN(datagram)
    guard let message = try? StunMessage.parse(datagram) else { return }
    _ = (message.username, message.priority, message.iceControlled, message.iceControlling, message.useCandidate)
    _ = (message.errorCode, message.xorMappedAddress, message.unknownComprehensionRequiredTypes)
    _ = message.verifyIntegrity(key: local.integrityKey)
    _ = message.verifyFingerprint()
    _ = message.serialize(integrityKey: local.integrityKey, fingerprint: true)
    var machine = IceLiteStateMachine(local: local, remoteUfrag: "h6vY", now: .uptimeNanoseconds(1_000_000_000))
    for step in 1...3 {  // the same check three times: first contact, repeat, after consent checks
        let now = NIODeadline.uptimeNanoseconds(UInt64(step) * 1_000_000_000)
        switch machine.bindingRequest(message, on: tuple, now: now) {
        case .respond(let bytes, _), .respondAndSelect(let bytes, _), .respondWithError(let bytes, _, _):
            guard let response = try? StunMessage.parse(bytes) else { preconditionFailure("the machine's answer does not parse") }
            precondition(response.verifyFingerprint(), "the machine's answer has a bad fingerprint")
            precondition(response.transactionID == message.transactionID, "the answer's transaction id differs")
        case .drop:
            break
        }
        _ = machine.consentCheck(now: now)
    }
}

func checkRTP(_ datagram: ByteBuffer) {
    guard var packet = try? RTPPacket.parse(datagram) else { return }
    _ = (packet.version, packet.hasPadding, packet.hasExtension, packet.marker, packet.payloadType)
    _ = (packet.sequenceNumber, packet.timestamp, packet.ssrc, packet.csrcs)
    precondition(packet.payloadLength >= 0, "negative payload length")
    _ = packet.payload
    for element in packet.headerExtensions { _ = element.value.readableBytes }
    packet.setSequenceNumber(0xBEEF)
    packet.setTimestamp(0xCAFE_F00D)
    packet.setSSRC(0x1234_5678)
    packet.setPayloadType(0x55)
    packet.setMarker(true)
    precondition(packet.sequenceNumber == 0xBEEF && packet.timestamp == 0xCAFE_F00D && packet.ssrc == 0x1234_5678
                 && packet.payloadType == 0x55 && packet.marker, "a rewrite did not read back")
    _ = packet.rewriteHeaderExtension(id: 1, with: [0x7F])
    _ = packet.rewriteHeaderExtension(id: 3, with: [1, 2, 3])
    var buffer = packet.takeBuffer()
    _ = RTPPacket.rewrite(&buffer, sequenceNumber: 1, timestamp: 2, ssrc: 3)
    _ = try? RTPPacket.parse(buffer)
}

func checkRTCP(_ datagram: ByteBuffer) {
    var iterator = RTCPCompoundIterator(datagram)
    while let packet = try? iterator.next() {
        if case .genericNack(let nack) = packet { _ = nack.lostSequenceNumbers }
        _ = packet.hashValue
    }
    _ = try? RTCPCompoundIterator.parse(datagram)
}

func checkSDP(_ text: String) {
    guard let description = try? SessionDescription.parse(text) else { return }
    for section in description.media {
        _ = description.iceCredentials(of: section)
        _ = description.fingerprints(of: section)
        for format in section.formats {
            guard let payloadType = UInt8(format) else { continue }
            _ = (section.rtpMap(for: payloadType), section.formatParameters(for: payloadType), section.rtcpFeedback(for: payloadType))
        }
    }
    let serialized = description.serialized()
    guard let again = try? SessionDescription.parse(serialized) else {
        preconditionFailure("serialised SDP does not parse:\n\(serialized)")
    }
    precondition(again.serialized() == serialized, "SDP serialisation is not a fixpoint:\n\(serialized)")
}
