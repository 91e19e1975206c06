import Foundation
import NIOCore
@testable import StreamLyProtocol

/// Sample frames with their golden encodings (see Protocol/README.md for the layouts).
enum Fixtures {
    static let defaultSettingsHex =
        "05" + "0001" + "00010000" + "0002" + "00100000" + "0003" + "01000000" + "0004" + "00000400" + "0005" + "00001388"

    static let samples: [(name: String, frame: LinkFrame, hex: String)] = [
        ("HELLO",
         .hello(.init(minVersion: 1, maxVersion: 1, nodeID: "e1", role: .edge, authMethods: .clusterSecret,
                      nonce: Array(repeating: 0xAB, count: 32), settings: LinkSettings())),
         "0000004e" + "01" + "00" + "00000000" + "5354524d4c59" + "0001" + "0001" + "02" + "6531" + "01" + "01"
            + String(repeating: "ab", count: 32) + defaultSettingsHex),
        ("WELCOME",
         .welcome(.init(version: 1, nodeID: "o1", role: .origin, authMethod: .clusterSecret,
                        nonce: Array(repeating: 0xCD, count: 32), settings: LinkSettings())),
         "00000046" + "02" + "00" + "00000000" + "0001" + "02" + "6f31" + "02" + "01"
            + String(repeating: "cd", count: 32) + defaultSettingsHex),
        ("AUTH", .auth(.init(proof: Array(repeating: 0x11, count: 32))),
         "00000021" + "03" + "00" + "00000000" + "20" + String(repeating: "11", count: 32)),
        ("AUTH_OK", .authOK(.init(proof: Array(repeating: 0x22, count: 32))),
         "00000021" + "04" + "00" + "00000000" + "20" + String(repeating: "22", count: 32)),
        ("REQUEST",
         .request(.init(streamID: LinkStreamID(1), method: "sys.ping", metadata: ["k": "v"],
                        body: ByteBuffer(string: "hi"), endStream: true)),
         "00000011" + "10" + "01" + "00000001" + "08" + "7379732e70696e67" + "01" + "01" + "6b" + "0001" + "76" + "6869"),
        ("RESPONSE",
         .response(.init(streamID: LinkStreamID(1), status: 200, body: ByteBuffer(string: "ok"), endStream: true)),
         "00000005" + "11" + "01" + "00000001" + "00c8" + "00" + "6f6b"),
        ("DATA", .data(.init(streamID: LinkStreamID(3), body: ByteBuffer(string: "abc"), endStream: false)),
         "00000003" + "12" + "00" + "00000003" + "616263"),
        ("RESET", .reset(.init(streamID: LinkStreamID(5), code: .cancel, reason: "bye")),
         "00000009" + "13" + "00" + "00000005" + "00000009" + "0003" + "627965"),
        ("WINDOW_UPDATE", .windowUpdate(.init(streamID: .connection, increment: 65_536)),
         "00000004" + "14" + "00" + "00000000" + "00010000"),
        ("MESSAGE", .message(.init(topic: "t", payload: ByteBuffer(string: "x"))),
         "00000004" + "15" + "00" + "00000000" + "01" + "74" + "00" + "78"),
        ("PING", .ping(.init(opaque: 0x0102_0304_0506_0708, ack: true)),
         "00000008" + "20" + "01" + "00000000" + "0102030405060708"),
        ("GOAWAY", .goAway(.init(lastStreamID: LinkStreamID(7), code: .noError, reason: "")),
         "0000000a" + "21" + "00" + "00000000" + "00000007" + "00000000" + "0000"),
    ]

    static func bytes(_ hex: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            buffer.writeInteger(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return buffer
    }

    static func hex(_ buffer: ByteBuffer) -> String {
        buffer.readableBytesView.map { String(format: "%02x", $0) }.joined()
    }

    static func encode(_ frame: LinkFrame) -> ByteBuffer {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        return buffer
    }

    /// Parses every frame in `buffer`.
    static func decodeAll(_ buffer: ByteBuffer, maxFrameSize: UInt32 = LinkSettings().maxFrameSize) throws -> [LinkFrame] {
        var parser = LinkFrameParser(maxFrameSize: maxFrameSize)
        parser.append(bytes: buffer)
        var frames: [LinkFrame] = []
        while let frame = try parser.nextFrame() { frames.append(frame) }
        return frames
    }

    /// Expects decoding to fail with `code`.
    static func decodingError(_ buffer: ByteBuffer) -> LinkErrorCode? {
        do {
            _ = try decodeAll(buffer)
            return nil
        } catch let error as LinkProtocolError {
            return error.code
        } catch {
            return nil
        }
    }
}
