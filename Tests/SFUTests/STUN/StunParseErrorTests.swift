import NIOCore
import StreamLySFU
import Testing

@Suite("STUN parse errors: truncated, oversized and malformed input")
struct StunParseErrorTests {
    private func code(_ bytes: [UInt8]) -> StunParseError.Code? {
        do {
            _ = try StunMessage.parse(ByteBuffer(bytes: bytes))
            return nil
        } catch {
            return error.code
        }
    }

    @Test("every truncation of the sample request is an error, never a trap")
    func truncations() {
        for length in 0..<RFC5769.request.count {
            #expect(code(Array(RFC5769.request.prefix(length))) != nil)
        }
        #expect(code(Array(RFC5769.request.prefix(19))) == .truncated)
        #expect(code(Array(RFC5769.request.prefix(40))) == .truncated)
    }

    @Test("extra bytes after the message")
    func oversized() {
        #expect(code(RFC5769.request + [0, 0, 0, 0]) == .trailingBytes)
    }

    @Test("header checks: top bits, cookie, length multiple of 4")
    func header() {
        var bytes = RFC5769.request
        bytes[0] = 0x40
        #expect(code(bytes) == .notStun)
        bytes = RFC5769.request
        bytes[4] = 0x22
        #expect(code(bytes) == .badMagicCookie)
        bytes = RFC5769.request
        bytes[3] = 0x57
        #expect(code(bytes) == .badLength)
    }

    @Test("an attribute that runs past the end")
    func attributeOverrun() {
        var bytes = RFC5769.request
        bytes[22] = 0x01  // SOFTWARE length 0x0110
        #expect(code(bytes) == .truncatedAttribute)
    }

    @Test("MESSAGE-INTEGRITY with a wrong length; an attribute after FINGERPRINT")
    func badSpecialAttributes() {
        let id = StunTransactionID(high: 0, low: 0)
        var header = StunMessage(type: .bindingRequest, transactionID: id).serialize()
        header.setInteger(UInt16(8), at: 2)
        header.writeBytes([0x00, 0x08, 0x00, 0x04, 1, 2, 3, 4])
        #expect(code(Array(header.readableBytesView)) == .badAttributeLength)

        var signed = StunMessage(type: .bindingRequest, transactionID: id).serialize(fingerprint: true)
        signed.writeBytes([0x00, 0x25, 0x00, 0x00])
        signed.setInteger(UInt16(12), at: 2)
        #expect(code(Array(signed.readableBytesView)) == .attributeAfterFingerprint)
    }

    @Test("attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 8489 §14.5)")
    func afterIntegrity() throws {
        let id = StunTransactionID(high: 0, low: 0)
        var buffer = StunMessage(type: .bindingRequest, transactionID: id, attributes: [.username("a:b")])
            .serialize(integrityKey: [1, 2, 3])
        buffer.writeBytes([0x00, 0x25, 0x00, 0x00])
        buffer.setInteger(UInt16(buffer.readableBytes - 20), at: 2)
        let message = try StunMessage.parse(buffer)
        #expect(!message.useCandidate)
        #expect(message.verifyIntegrity(key: [1, 2, 3]))
    }

    @Test("readers return nil on malformed values")
    func malformedValues() throws {
        let id = StunTransactionID(high: 0, low: 0)
        let message = StunMessage(type: .bindingRequest, transactionID: id, attributes: [
            StunAttribute(type: .priority, bytes: [1, 2]),
            StunAttribute(type: .xorMappedAddress, bytes: [0, 3, 0, 0]),
            StunAttribute(type: .errorCode, bytes: [0, 0, 9, 0]),
            StunAttribute(type: .username, bytes: [0xFF, 0xFE]),
            StunAttribute(type: .iceControlling, bytes: [1]),
        ])
        let parsed = try StunMessage.parse(message.serialize())
        #expect(parsed.priority == nil)
        #expect(parsed.xorMappedAddress == nil)
        #expect(parsed.errorCode == nil)
        #expect(parsed.username == nil)
        #expect(parsed.iceControlling == nil)
        #expect(!parsed.verifyIntegrity(key: []))
        #expect(!parsed.verifyFingerprint())
    }
}
