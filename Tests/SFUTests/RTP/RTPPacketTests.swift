import NIOCore
import StreamLySFU
import Testing

@Suite("RTP packet parse (RFC 3550 §5.1) and header extensions (RFC 8285)")
struct RTPPacketTests {
    @Test("fixed header fields")
    func fixedHeader() throws {
        let packet = try RTPPacket.parse(ByteBuffer(bytes: RTPSamples.oneByteExtension))
        #expect(packet.version == 2)
        #expect(packet.marker)
        #expect(packet.payloadType == 96)
        #expect(packet.sequenceNumber == 0x1234)
        #expect(packet.timestamp == 0xDEAD_BEEF)
        #expect(packet.ssrc == 0x1122_3344)
        #expect(packet.csrcs.isEmpty)
        #expect(packet.hasExtension && !packet.hasPadding)
        #expect(packet.headerLength == 24)
        #expect(Array(packet.payload.readableBytesView) == [0x90, 0xE0, 0x00, 0x01])
    }

    @Test("one-byte extension elements (0xBEDE, RFC 8285 §4.2), padding between them skipped")
    func oneByte() throws {
        let packet = try RTPPacket.parse(ByteBuffer(bytes: RTPSamples.oneByteExtension))
        #expect(packet.extensionProfile == 0xBEDE)
        let elements = packet.headerExtensions.map { ($0.id, Array($0.value.readableBytesView)) }
        #expect(elements.map(\.0) == [1, 9, 4])
        #expect(elements.map(\.1) == [[0xAA], [0x30], [0xBB, 0xCC]])
        #expect(packet.headerExtension(id: 9).map { String(buffer: $0) } == "0")
        #expect(packet.headerExtension(id: 5) == nil)
    }

    @Test("two-byte extension elements (0x100X, RFC 8285 §4.3), CSRCs and padding")
    func twoByte() throws {
        let packet = try RTPPacket.parse(ByteBuffer(bytes: RTPSamples.twoByteExtensionCSRCPadding))
        #expect(packet.payloadType == 111)
        #expect(!packet.marker)
        #expect(packet.csrcs == [1, 2])
        #expect(packet.extensionProfile == 0x1000)
        let elements = packet.headerExtensions.map { ($0.id, Array($0.value.readableBytesView)) }
        #expect(elements.map(\.0) == [1, 3])
        #expect(elements.map(\.1) == [[0xAA, 0xBB], []])
        #expect(packet.paddingLength == 4)
        #expect(Array(packet.payload.readableBytesView) == [0xFC, 0xFF, 0xFE])
    }

    @Test("one-byte ID 15 stops parsing; an unknown profile has no elements")
    func stopAndUnknownProfile() throws {
        let stop = hexBytes("90 60 00 01 00 00 00 01 00 00 00 01 be de 00 01 10 aa f0 20")
        #expect(try RTPPacket.parse(ByteBuffer(bytes: stop)).headerExtensions.map(\.id) == [1])
        let other = hexBytes("90 60 00 01 00 00 00 01 00 00 00 01 12 34 00 01 10 aa f0 20")
        #expect(try RTPPacket.parse(ByteBuffer(bytes: other)).headerExtensions.map(\.id).isEmpty)
    }

    @Test("an element longer than the block ends iteration")
    func overlongElement() throws {
        let bytes = hexBytes("90 60 00 01 00 00 00 01 00 00 00 01 be de 00 01 10 aa 2f 20")
        #expect(try RTPPacket.parse(ByteBuffer(bytes: bytes)).headerExtensions.map(\.id) == [1])
    }

    @Test("errors: short, version, CSRC overrun, extension overrun, padding")
    func errors() {
        func code(_ bytes: [UInt8]) -> RTPPacketError.Code? {
            do {
                _ = try RTPPacket.parse(ByteBuffer(bytes: bytes))
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(Array(RTPSamples.plain.prefix(11))) == .truncated)
        #expect(code([0x40] + RTPSamples.plain.dropFirst()) == .badVersion)
        #expect(code([0x8F] + RTPSamples.plain.dropFirst()) == .truncated)
        #expect(code(Array(RTPSamples.oneByteExtension.prefix(20))) == .truncated)
        #expect(code(Array(RTPSamples.oneByteExtension.prefix(14))) == .truncated)
        #expect(code([0xA0] + RTPSamples.plain.dropFirst().dropLast() + [0x00]) == .badPadding)
        #expect(code([0xA0] + RTPSamples.plain.dropFirst().dropLast() + [0x05]) == .badPadding)
        #expect(code(RTPSamples.plain) == nil)
        for length in 0..<RTPSamples.twoByteExtensionCSRCPadding.count {
            #expect(code(Array(RTPSamples.twoByteExtensionCSRCPadding.prefix(length))) != nil)
        }
    }

    @Test("rewrite in place: sequence number, timestamp, SSRC, payload type, marker, extension value")
    func rewrite() throws {
        var packet = try RTPPacket.parse(ByteBuffer(bytes: RTPSamples.oneByteExtension))
        packet.setSequenceNumber(0xBEEF)
        packet.setTimestamp(42)
        packet.setSSRC(0xCAFE_BABE)
        packet.setPayloadType(100)
        packet.setMarker(false)
        let sameLength = packet.rewriteHeaderExtension(id: 9, with: Array("1".utf8))
        let longer = packet.rewriteHeaderExtension(id: 9, with: Array("12".utf8))
        let absent = packet.rewriteHeaderExtension(id: 7, with: [1])
        #expect(sameLength && !longer && !absent)
        let reparsed = try RTPPacket.parse(packet.takeBuffer())
        #expect(reparsed.sequenceNumber == 0xBEEF)
        #expect(reparsed.timestamp == 42)
        #expect(reparsed.ssrc == 0xCAFE_BABE)
        #expect(reparsed.payloadType == 100)
        #expect(!reparsed.marker)
        #expect(reparsed.headerExtension(id: 9).map { String(buffer: $0) } == "1")
        #expect(reparsed.payload == (try RTPPacket.parse(ByteBuffer(bytes: RTPSamples.oneByteExtension))).payload)
    }

    @Test("static rewrite on a raw buffer, at a non-zero reader index")
    func rawRewrite() {
        var buffer = ByteBuffer(bytes: [0xFF] + RTPSamples.plain)
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(RTPPacket.rewrite(&buffer, sequenceNumber: 1, timestamp: 2, ssrc: 3))
        #expect(Array(buffer.readableBytesView.prefix(12)) == hexBytes("80 08 00 01 00 00 00 02 00 00 00 03"))
        var short = ByteBuffer(bytes: [0x80, 0x08])
        #expect(!RTPPacket.rewrite(&short, sequenceNumber: 1, timestamp: 2, ssrc: 3))
    }
}

@Suite("RTP copy with a transport-wide sequence number appended")
struct RTPPacketCopyTests {
    static func copy(_ bytes: [UInt8], map: ExtensionIDMap, id: UInt8) throws -> (RTPPacket, Int) {
        var out = ByteBuffer()
        let headerLength = try RTPPacket.parse(ByteBuffer(bytes: bytes))
            .copy(into: &out, remapping: map, transportSequenceID: id, transportSequence: 0xABCD)
        return (try RTPPacket.parse(out), headerLength)
    }

    @Test("one-byte elements renamed, the new element after them, payload intact")
    func oneByte() throws {
        var map = ExtensionIDMap(fallback: 14)
        map.map(1, to: 5)
        let (packet, headerLength) = try Self.copy(RTPSamples.oneByteExtension, map: map, id: 7)
        #expect(headerLength == packet.headerLength && headerLength == 28)
        #expect(packet.headerExtensions.map(\.id) == [5, 14, 14, 7])
        #expect(packet.headerExtension(id: 7).map { Array($0.readableBytesView) } == [0xAB, 0xCD])
        #expect(Array(packet.payload.readableBytesView) == [0x90, 0xE0, 0x00, 0x01])
        #expect(packet.sequenceNumber == 0x1234 && packet.ssrc == 0x1122_3344 && packet.marker)
    }

    @Test("a packet without extension gets a one-byte block")
    func plain() throws {
        let (packet, headerLength) = try Self.copy(RTPSamples.plain, map: ExtensionIDMap(fallback: 14), id: 4)
        #expect(packet.hasExtension && packet.extensionProfile == 0xBEDE && headerLength == 20)
        #expect(packet.headerExtensions.map(\.id) == [4])
        #expect(Array(packet.payload.readableBytesView) == [1, 2, 3])
    }

    @Test("two-byte elements, CSRCs and padding kept")
    func twoByte() throws {
        let (packet, _) = try Self.copy(RTPSamples.twoByteExtensionCSRCPadding, map: ExtensionIDMap(fallback: 14), id: 4)
        #expect(packet.csrcs == [1, 2] && packet.extensionProfile == 0x1000)
        #expect(packet.headerExtensions.map(\.id) == [14, 14, 4])
        #expect(packet.headerExtension(id: 4).map { Array($0.readableBytesView) } == [0xAB, 0xCD])
        #expect(packet.hasPadding && packet.paddingLength == 4)
        #expect(Array(packet.payload.readableBytesView) == [0xFC, 0xFF, 0xFE])
    }

    @Test("id 0: a plain copy with renamed ids")
    func noTransportSequence() throws {
        let (packet, headerLength) = try Self.copy(RTPSamples.oneByteExtension, map: ExtensionIDMap(fallback: 14), id: 0)
        #expect(headerLength == 24 && packet.headerExtensions.map(\.id) == [14, 14, 14])
    }
}
