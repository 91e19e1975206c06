import Foundation
import NIOCore

/// Reads the few fields the chat load test needs from a server frame without decoding
/// the JSON object: at 20,000+ deliveries a second the client shares the machine with
/// the system under test, so it must stay cheap.
///
/// Server objects are encoded with sorted keys (docs: "Client-facing contracts"), and the
/// bodies this tool publishes contain no quotes, so a search for `"key":` finds the field
/// itself. Anything else (authenticated, subscribed, error) is rare and decoded in full.
enum ChatEventScanner {
    /// The `op` of a server object, as far as this tool cares.
    enum Op: Equatable {
        case message, ack, authenticated, subscribed, error, presence, typing
        case other
    }

    private static let opKey = Array(#""op":""#.utf8)
    private static let seqKey = Array(#""seq":"#.utf8)
    private static let idKey = Array(#""id":"#.utf8)
    private static let channelKey = Array(#""channel":""#.utf8)
    /// The published body starts with the send time: `"body":"t=<monotonic ns>;…"`.
    private static let sendTimeKey = Array(#""body":"t="#.utf8)
    private static let ops: [([UInt8], Op)] = {
        let names: [(String, Op)] = [
            ("message", .message), ("ack", .ack), ("presence", .presence), ("typing", .typing),
            ("authenticated", .authenticated), ("subscribed", .subscribed), ("error", .error),
        ]
        return names.map { (Array(($0.0 + "\"").utf8), $0.1) }
    }()

    static func op(_ bytes: UnsafeRawBufferPointer) -> Op {
        guard let start = find(opKey, in: bytes) else { return .other }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
        for (name, op) in ops where rest.starts(with: name) { return op }
        return .other
    }

    /// The non-negative integer after `"seq":`.
    static func seq(_ bytes: UnsafeRawBufferPointer) -> Int64? { integer(after: seqKey, in: bytes) }

    /// The integer request id after `"id":` (this tool only sends numeric ids).
    static func requestID(_ bytes: UnsafeRawBufferPointer) -> Int64? { integer(after: idKey, in: bytes) }

    /// The send time embedded at the start of a published body.
    static func sendTime(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        integer(after: sendTimeKey, in: bytes).map { UInt64($0) }
    }

    /// Whether the object's `"channel"` is `channel` (36 lower-case UUID bytes).
    static func channel(_ bytes: UnsafeRawBufferPointer, is channel: [UInt8]) -> Bool {
        guard let start = find(channelKey, in: bytes) else { return false }
        return UnsafeRawBufferPointer(rebasing: bytes[start...]).starts(with: channel + [UInt8(ascii: "\"")])
    }

    /// Index just past the first occurrence of `needle`.
    static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first, bytes.count >= needle.count else { return nil }
        var offset = 0
        let lastStart = bytes.count - needle.count
        while offset <= lastStart {
            // memchr finds candidate first bytes quickly; then compare the rest.
            guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return nil }
            let start = base.distance(to: UnsafeRawPointer(hit))
            if UnsafeRawBufferPointer(rebasing: bytes[start..<(start + needle.count)]).elementsEqual(needle) {
                return start + needle.count
            }
            offset = start + 1
        }
        return nil
    }

    private static func integer(after key: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int64? {
        guard var index = find(key, in: bytes) else { return nil }
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (48...57).contains(bytes[index]), value < Int64.max / 10 - 9 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        return index == start ? nil : value
    }
}

/// The rare server objects decoded in full.
enum ChatControlEvent {
    struct Subscribed: Decodable { var seq: Int64 }
    struct ErrorEvent: Decodable {
        var id: Int64?
        var code: String
        var message: String
    }

    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }
}
