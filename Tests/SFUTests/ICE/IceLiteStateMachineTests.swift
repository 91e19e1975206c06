import NIOCore
import StreamLySFU
import Testing

@Suite("ICE-lite binding handling (RFC 8445 §2.5, §7.3) and consent (RFC 7675)")
struct IceLiteStateMachineTests {
    static let local = IceCredentials(ufrag: "SfuU", password: "sfu-password-of-24-chars")
    static let remoteUfrag = "Clnt"
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let tuple = FiveTuple(local: TransportAddress(ip: IPAddress(10, 0, 0, 1), port: 10000),
                                 remote: TransportAddress(ip: IPAddress(10, 0, 0, 2), port: 54321))
    static let otherTuple = FiveTuple(local: tuple.local, remote: TransportAddress(ip: IPAddress(10, 0, 0, 3), port: 4000))

    /// A Binding request as Chromium sends it (SFU-NOTES §4): USERNAME, ICE-CONTROLLING,
    /// [USE-CANDIDATE], PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
    static func request(username: String = "SfuU:Clnt", key: String = local.password, useCandidate: Bool = false,
                        controlled: Bool = false, priority: Bool = true, fingerprint: Bool = true,
                        integrity: Bool = true, extra: [StunAttribute] = [], id: UInt64 = 7) -> StunMessage {
        var attributes: [StunAttribute] = [.username(username)]
        attributes.append(controlled ? .iceControlled(42) : .iceControlling(42))
        if useCandidate { attributes.append(.useCandidate) }
        if priority { attributes.append(.priority(0x6E00_1EFF)) }
        attributes += extra
        let message = StunMessage(type: .bindingRequest, transactionID: StunTransactionID(high: 1, low: id),
                                  attributes: attributes)
        let bytes = message.serialize(integrityKey: integrity ? Array(key.utf8) : nil, fingerprint: fingerprint)
        return (try? StunMessage.parse(bytes)) ?? message
    }

    static func machine() -> IceLiteStateMachine {
        IceLiteStateMachine(local: local, remoteUfrag: remoteUfrag, now: start)
    }

    @Test("a valid check is answered: same transaction id, XOR-MAPPED-ADDRESS, integrity, fingerprint")
    func success() throws {
        var machine = Self.machine()
        let action = machine.bindingRequest(Self.request(), on: Self.tuple, now: Self.start + .seconds(1))
        guard case .respond(let bytes, let tuple) = action else {
            Issue.record("expected respond, got \(action)")
            return
        }
        #expect(tuple == Self.tuple)
        let response = try StunMessage.parse(bytes)
        #expect(response.type == .bindingSuccess)
        #expect(response.transactionID == StunTransactionID(high: 1, low: 7))
        #expect(response.xorMappedAddress == Self.tuple.remote)
        #expect(response.verifyIntegrity(key: Self.local.integrityKey))
        #expect(response.verifyFingerprint())
        #expect(machine.state == .checking(lastConsent: Self.start + .seconds(1)))
        #expect(machine.selectedTuple == nil)
    }

    @Test("an IPv6 peer gets its IPv6 address back in XOR-MAPPED-ADDRESS")
    func ipv6() throws {
        var machine = Self.machine()
        let ip = try #require(IPAddress(octets: hexBytes("20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02")))
        let tuple = FiveTuple(local: TransportAddress(ip: .v6(high: 0x2001_0DB8_0000_0000, low: 1), port: 10000),
                              remote: TransportAddress(ip: ip, port: 50000))
        guard case .respond(let bytes, _) = machine.bindingRequest(Self.request(), on: tuple, now: Self.start) else {
            Issue.record("expected respond")
            return
        }
        #expect(try StunMessage.parse(bytes).xorMappedAddress == tuple.remote)
    }

    @Test("USE-CANDIDATE nominates the tuple; repeated nominations of it are plain answers")
    func nomination() {
        var machine = Self.machine()
        let now = Self.start + .seconds(1)
        guard case .respondAndSelect(_, let tuple) = machine.bindingRequest(Self.request(useCandidate: true),
                                                                          on: Self.tuple, now: now) else {
            Issue.record("expected respondAndSelect")
            return
        }
        #expect(tuple == Self.tuple)
        #expect(machine.selectedTuple == Self.tuple)
        guard case .respond = machine.bindingRequest(Self.request(useCandidate: true), on: Self.tuple, now: now) else {
            Issue.record("expected respond")
            return
        }
    }

    @Test("aioice style: a check without USE-CANDIDATE first, then one with it")
    func regularNomination() {
        var machine = Self.machine()
        guard case .respond = machine.bindingRequest(Self.request(), on: Self.tuple, now: Self.start) else {
            Issue.record("expected respond")
            return
        }
        guard case .respondAndSelect = machine.bindingRequest(Self.request(useCandidate: true), on: Self.tuple,
                                                              now: Self.start) else {
            Issue.record("expected respondAndSelect")
            return
        }
    }

    @Test("a nomination of another tuple moves the selection; a plain check there does not")
    func renomination() {
        var machine = Self.machine()
        _ = machine.bindingRequest(Self.request(useCandidate: true), on: Self.tuple, now: Self.start)
        guard case .respond = machine.bindingRequest(Self.request(), on: Self.otherTuple, now: Self.start) else {
            Issue.record("expected respond")
            return
        }
        #expect(machine.selectedTuple == Self.tuple)
        guard case .respondAndSelect(_, let tuple) = machine.bindingRequest(Self.request(useCandidate: true),
                                                                          on: Self.otherTuple, now: Self.start) else {
            Issue.record("expected respondAndSelect")
            return
        }
        #expect(tuple == Self.otherTuple)
        #expect(machine.selectedTuple == Self.otherTuple)
    }

    @Test("wrong ufrag, wrong remote ufrag, bad integrity: dropped, no answer, no state change")
    func drops() {
        var machine = Self.machine()
        let cases: [(StunMessage, IceLiteStateMachine.DropReason)] = [
            (Self.request(username: "Othr:Clnt"), .unknownUfrag),
            (Self.request(username: "SfuU"), .unknownUfrag),
            (Self.request(username: "SfuU:Evil"), .wrongRemoteUfrag),
            (Self.request(key: "not-the-password-at-all"), .badIntegrity),
        ]
        for (request, reason) in cases {
            #expect(machine.bindingRequest(request, on: Self.tuple, now: Self.start) == .drop(reason))
        }
        #expect(machine.state == .waiting(since: Self.start))
    }

    @Test("without a known remote ufrag, any sender ufrag is accepted")
    func unknownRemoteUfrag() {
        var machine = IceLiteStateMachine(local: Self.local, remoteUfrag: nil, now: Self.start)
        guard case .respond = machine.bindingRequest(Self.request(username: "SfuU:Anyone"), on: Self.tuple,
                                                     now: Self.start) else {
            Issue.record("expected respond")
            return
        }
        machine.setRemoteUfrag("Clnt")
        #expect(machine.bindingRequest(Self.request(username: "SfuU:Anyone"), on: Self.tuple, now: Self.start)
            == .drop(.wrongRemoteUfrag))
    }

    @Test("a corrupted fingerprint is dropped; responses and indications are ignored")
    func notForUs() throws {
        var machine = Self.machine()
        var bytes = Self.request().serialize(integrityKey: Self.local.integrityKey, fingerprint: true)
        bytes.setInteger(UInt32(0xDEAD_BEEF), at: bytes.writerIndex - 4)
        #expect(machine.bindingRequest(try StunMessage.parse(bytes), on: Self.tuple, now: Self.start)
            == .drop(.badFingerprint))
        let indication = StunMessage(type: .bindingIndication, transactionID: StunTransactionID(high: 0, low: 0))
        #expect(machine.bindingRequest(indication, on: Self.tuple, now: Self.start) == .drop(.notABindingRequest))
    }

    @Test("missing FINGERPRINT, USERNAME/MESSAGE-INTEGRITY or PRIORITY: 400 Bad Request")
    func badRequests() throws {
        for request in [Self.request(fingerprint: false), Self.request(integrity: false), Self.request(priority: false)] {
            var machine = Self.machine()
            guard case .respondWithError(let bytes, _, let code) = machine.bindingRequest(request, on: Self.tuple,
                                                                                           now: Self.start) else {
                Issue.record("expected an error response")
                continue
            }
            #expect(code == .badRequest)
            let response = try StunMessage.parse(bytes)
            #expect(response.type == .bindingError)
            #expect(response.errorCode?.code == 400)
            #expect(response.verifyFingerprint())
        }
    }

    @Test("ICE-CONTROLLED from the peer: 487 Role Conflict, signed")
    func roleConflict() throws {
        var machine = Self.machine()
        guard case .respondWithError(let bytes, _, .roleConflict) = machine.bindingRequest(
            Self.request(controlled: true), on: Self.tuple, now: Self.start) else {
            Issue.record("expected 487")
            return
        }
        let response = try StunMessage.parse(bytes)
        #expect(response.errorCode?.code == 487)
        #expect(response.verifyIntegrity(key: Self.local.integrityKey))
    }

    @Test("unknown comprehension-required attribute: 420 with UNKNOWN-ATTRIBUTES; unknown optional ones are ignored")
    func unknownAttributes() throws {
        var machine = Self.machine()
        let required = StunAttribute(type: StunAttributeType(rawValue: 0x7777), bytes: [1, 2, 3, 4])
        guard case .respondWithError(let bytes, _, .unknownAttribute) = machine.bindingRequest(
            Self.request(extra: [required]), on: Self.tuple, now: Self.start) else {
            Issue.record("expected 420")
            return
        }
        let response = try StunMessage.parse(bytes)
        #expect(response.attribute(.unknownAttributes).map { Array($0.value.readableBytesView) } == [0x77, 0x77])
        let googNetworkInfo = StunAttribute(type: StunAttributeType(rawValue: 0xC057), bytes: [0, 1, 0, 0])
        guard case .respond = machine.bindingRequest(Self.request(extra: [googNetworkInfo]), on: Self.tuple,
                                                     now: Self.start) else {
            Issue.record("expected respond")
            return
        }
    }

    @Test("consent: 30 s without a valid check closes; each check on the selected pair pushes it back")
    func consent() {
        var machine = Self.machine()
        #expect(machine.consentDeadline == Self.start + .seconds(30))
        _ = machine.bindingRequest(Self.request(useCandidate: true), on: Self.tuple, now: Self.start + .seconds(5))
        #expect(machine.consentCheck(now: Self.start + .seconds(30)) == .none)
        _ = machine.bindingRequest(Self.request(), on: Self.tuple, now: Self.start + .seconds(20))
        // A check on another pair does not refresh the selected pair's consent.
        _ = machine.bindingRequest(Self.request(), on: Self.otherTuple, now: Self.start + .seconds(45))
        #expect(machine.consentDeadline == Self.start + .seconds(50))
        #expect(machine.consentCheck(now: Self.start + .seconds(49)) == .none)
        #expect(machine.consentCheck(now: Self.start + .seconds(50)) == .expired)
        #expect(machine.state == .closed)
        #expect(machine.consentDeadline == nil)
        #expect(machine.consentCheck(now: Self.start + .seconds(90)) == .none)
        #expect(machine.bindingRequest(Self.request(), on: Self.tuple, now: Self.start + .seconds(51)) == .drop(.closed))
    }

    @Test("a peer that never checks is gone after 30 s")
    func neverChecked() {
        var machine = Self.machine()
        #expect(machine.consentCheck(now: Self.start + .seconds(29)) == .none)
        #expect(machine.consentCheck(now: Self.start + .seconds(30)) == .expired)
    }

    @Test("close: later requests are dropped")
    func close() {
        var machine = Self.machine()
        machine.close()
        #expect(machine.bindingRequest(Self.request(), on: Self.tuple, now: Self.start) == .drop(.closed))
    }

    @Test("random credentials use the ice-char set and the RFC 8839 lengths")
    func credentials() {
        var generator = SeededGenerator(seed: 1)
        let credentials = IceCredentials.random(using: &generator)
        #expect(credentials.ufrag.count == 8)
        #expect(credentials.password.count == 24)
        #expect(credentials.password.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" })
    }
}

@Suite("ICE-lite on the RFC 5769 sample request")
struct IceLiteRFC5769Tests {
    @Test("the sample request (USERNAME evtj:h6vY, ICE-CONTROLLED) verifies and gets 487 from a lite agent")
    func sampleRequest() throws {
        let request = try StunMessage.parse(ByteBuffer(bytes: RFC5769.request))
        var machine = IceLiteStateMachine(local: IceCredentials(ufrag: "evtj", password: "VOkJxbRl1RmTxUk/WvJxBt"),
                                          remoteUfrag: "h6vY", now: .uptimeNanoseconds(0))
        guard case .respondWithError(let bytes, _, .roleConflict) = machine.bindingRequest(
            request, on: IceLiteStateMachineTests.tuple, now: .uptimeNanoseconds(0)) else {
            Issue.record("expected 487")
            return
        }
        let response = try StunMessage.parse(bytes)
        #expect(response.transactionID.bytes == RFC5769.transactionID)
        #expect(response.verifyIntegrity(key: RFC5769.password) && response.verifyFingerprint())
    }
}
