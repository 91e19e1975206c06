import NIOCore
import StreamLySFU
import Testing

@Suite("ICE-lite robustness")
struct IceLiteRobustnessTests {
    @Test("10 000 mutated checks: the machine never traps and everything it sends parses and is fingerprinted")
    func mutations() throws {
        var mutator = Mutator(seed: 0x4943_4520)
        let valid = IceLiteStateMachineTests.request(useCandidate: true)
            .serialize(integrityKey: IceLiteStateMachineTests.local.integrityKey, fingerprint: true)
        let seeds = [Array(valid.readableBytesView), RFC5769.request]
        var machine = IceLiteStateMachine(local: IceLiteStateMachineTests.local, remoteUfrag: "Clnt",
                                          now: .uptimeNanoseconds(0))
        var answered = 0
        for iteration in 0..<10_000 {
            let now = NIODeadline.uptimeNanoseconds(UInt64(iteration) * 1_000_000)
            guard let request = try? StunMessage.parse(ByteBuffer(bytes: mutator.mutate(seeds[iteration % 2]))) else {
                continue
            }
            switch machine.bindingRequest(request, on: IceLiteStateMachineTests.tuple, now: now) {
            case .respond(let bytes, _), .respondAndSelect(let bytes, _), .respondWithError(let bytes, _, _):
                answered += 1
                let response = try StunMessage.parse(bytes)
                #expect(response.verifyFingerprint())
                #expect(response.transactionID == request.transactionID)
            case .drop:
                break
            }
            _ = machine.consentCheck(now: now)
        }
        #expect(answered > 0)
    }
}
