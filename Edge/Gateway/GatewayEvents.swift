import Foundation
import NIOCore
import StreamLyAPI

/// Server → client events the gateway itself produces (message events come
/// pre-encoded from the origin). docs/api.md lists them all.
enum GatewayEvents {
    private struct Authenticated: Encodable {
        let op = "authenticated"
        var id: RequestID?
        var user: UserRef
    }
    struct UserRef: Encodable {
        var id: String
        var username: String
    }
    private struct Subscribed: Encodable {
        let op = "subscribed"
        var id: RequestID?
        var channel: String
        var seq: Int64
        var recovered: Bool
    }
    private struct Unsubscribed: Encodable {
        let op = "unsubscribed"
        var id: RequestID?
        var channel: String
    }
    private struct Unwatched: Encodable {
        let op = "unwatched"
        var id: RequestID?
        var video: String
    }
    private struct Pong: Encodable {
        let op = "pong"
        var id: RequestID?
    }
    private struct Ack: Encodable {
        let op = "ack"
        var id: RequestID?
        var channel: String
        var seq: Int64
    }
    private struct ErrorEvent: Encodable {
        let op = "error"
        var id: RequestID?
        var code: API.ErrorCode
        var message: String
    }
    private struct Typing: Encodable {
        let op = "typing"
        var channel: String
        var user: String
        var ttl_ms: Int
    }
    private struct Presence: Encodable {
        let op = "presence"
        var user: String
        var status: String
    }

    private static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data(#"{"op":"error","code":"internal","message":"encoding"}"#.utf8))
    }

    static func authenticated(id: RequestID?, userID: String, username: String) -> ByteBuffer {
        encode(Authenticated(id: id, user: UserRef(id: userID, username: username)))
    }
    static func subscribed(id: RequestID?, channel: String, seq: Int64, recovered: Bool) -> ByteBuffer {
        encode(Subscribed(id: id, channel: channel, seq: seq, recovered: recovered))
    }
    static func unsubscribed(id: RequestID?, channel: String) -> ByteBuffer {
        encode(Unsubscribed(id: id, channel: channel))
    }
    static func pong(id: RequestID?) -> ByteBuffer {
        encode(Pong(id: id))
    }
    static func ack(id: RequestID?, channel: String, seq: Int64) -> ByteBuffer {
        encode(Ack(id: id, channel: channel, seq: seq))
    }
    static func unwatched(id: RequestID?, video: String) -> ByteBuffer {
        encode(Unwatched(id: id, video: video))
    }
    static func video(_ event: API.VideoEvent) -> ByteBuffer {
        encode(event)
    }
    static func error(id: RequestID?, code: API.ErrorCode, message: String) -> ByteBuffer {
        encode(ErrorEvent(id: id, code: code, message: message))
    }
    static func typing(channel: String, user: String, ttlMilliseconds: Int) -> ByteBuffer {
        encode(Typing(channel: channel, user: user, ttl_ms: ttlMilliseconds))
    }
    static func presence(user: String, online: Bool) -> ByteBuffer {
        encode(Presence(user: user, status: online ? "online" : "offline"))
    }
}
