// libFuzzer target `sfu` (Tests/Fuzz/run.sh sfu): every parser of bytes a WebRTC peer sends
// the SFU. Not part of any SwiftPM target: run.sh links it against an instrumented build of
// StreamLySFU.
//
// Input layout: byte 0 selects the parser (value % 5), the rest is what the peer sent:
//   0  a STUN datagram: parse, every attribute reader, integrity and fingerprint checks,
//      re-serialisation, and the ICE-lite binding state machine (credentials of RFC 5769 §2.1,
//      so the RFC's request passes integrity and reaches the deeper states)
//   1  an RTP packet: parse, readers, header extensions, in-place rewrites
//   2  an RTCP compound: iteration and every reader of every packet
//   3  an SDP (as UTF-8, lossily): parse; what parses serialises to text that parses and
//      serialises to the same text (a fixpoint)
//   4  what another edge sends the relay socket (docs/cascade.md): the datagram header, a hello
//      and a sealed state as received (random bytes fail the MAC or tag), then the same bytes as
//      a hello body signed with the cluster key and as a state's JSON sealed with the link key,
//      so the field parsers behind the MAC and the tag are reached; what parses re-writes to
//      bytes that parse to the same value
// Every input is also classified by the datagram demultiplexer (RFC 7983).
//
// Checked invariants (a violation traps, which libFuzzer reports as a crash): nothing traps;
// the only errors are the parsers' own error types (typed throws); everything the ICE-lite
// machine answers parses, carries the request's transaction id and a valid fingerprint; an RTP
// rewrite reads back the value written; SDP serialisation is a fixpoint.
import Crypto
import Foundation
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
    switch selector % 5 {
    case 0: checkSTUN(body)
    case 1: checkRTP(body)
    case 2: checkRTCP(body)
    case 3: checkSDP(String(decoding: body.readableBytesView, as: UTF8.self))
    default: checkRelay(body)
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

let relayKey = RelayKeys.helloKey(secret: "fuzz-cluster-secret-0123456789abcdef0123456789")

func checkRelay(_ datagram: ByteBuffer) {
    var received = datagram
    if let header = RelayDatagram.parse(&received) {
        switch header.kind {
        case .hello, .helloAck: _ = RelayHello.parse(datagram: received, key: relayKey)
        case .state: _ = RelayState.open(datagram: received, key: relayKey)
        default: break
        }
    }

    // The bytes as a hello body, signed: the fields behind the MAC.
    var signed = ByteBuffer()
    RelayDatagram(kind: .hello, linkID: 0).write(to: &signed)
    signed.writeImmutableBuffer(datagram)
    let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(signed.readableBytesView), using: relayKey))
    signed.writeBytes(mac)
    var body = signed
    guard RelayDatagram.parse(&body) != nil else { return }  // over the datagram limit
    if let hello = RelayHello.parse(datagram: body, key: relayKey), hello.call.utf8.count <= RelayHello.maximumCallLength {
        var again = ByteBuffer()
        hello.write(kind: .helloAck, receiverLinkID: 7, key: relayKey, to: &again)
        guard RelayDatagram.parse(&again) != nil, let reparsed = RelayHello.parse(datagram: again, key: relayKey) else {
            preconditionFailure("a re-written hello does not parse: \(hello)")
        }
        precondition(reparsed == hello, "hello round trip: \(hello) became \(reparsed)")
    }

    // The bytes as a state's JSON, sealed: the decoder behind the tag.
    var header = ByteBuffer()
    RelayDatagram(kind: .state, linkID: 9).write(to: &header)
    header.writeInteger(UInt64(42))
    let aad = Array(header.readableBytesView)
    guard let sealed = try? AES.GCM.seal(Array(datagram.readableBytesView), using: relayKey, authenticating: aad),
          let combined = sealed.combined else { return }
    var stateDatagram = ByteBuffer(bytes: aad + Array(combined))
    guard RelayDatagram.parse(&stateDatagram) != nil,
          let (sequence, state) = RelayState.open(datagram: stateDatagram, key: relayKey) else { return }
    precondition(sequence == 42, "state sequence \(sequence)")
    var resealed = ByteBuffer()
    if state.seal(receiverLinkID: 9, sequence: 43, key: relayKey, into: &resealed) {
        guard RelayDatagram.parse(&resealed) != nil, let reopened = RelayState.open(datagram: resealed, key: relayKey) else {
            preconditionFailure("a re-sealed state does not open: \(state)")
        }
        precondition(reopened.sequence == 43 && reopened.state == state, "state round trip: \(state) became \(reopened.state)")
    }
}
