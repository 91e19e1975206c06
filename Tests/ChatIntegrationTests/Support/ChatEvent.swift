import Foundation

/// One server → client WebSocket object, decoded loosely so a test can check any
/// field (`user` is an object in `authenticated`, a user id in `typing`/`presence`).
struct ChatEvent: Decodable, Sendable, CustomStringConvertible {
    var op: String
    /// The request id echoed in replies; the message id in `message` events.
    var id: String?
    var channel: String?
    var seq: Int64?
    var recovered: Bool?
    var client_id: String?
    var author: String?
    var body: String?
    var ts: String?
    var code: String?
    var message: String?
    var user: String?
    var username: String?
    var status: String?
    var ttl_ms: Int?
    /// The frame as received.
    var raw = ""
    /// When it was decoded (wall clock), for latency figures.
    var receivedAt = Date()

    private enum Key: String, CodingKey {
        case op, id, channel, seq, recovered, client_id, author, body, ts, code, message, user, status, ttl_ms
    }
    private struct UserObject: Decodable { var id: String; var username: String }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        op = try c.decode(String.self, forKey: .op)
        if let number = try? c.decodeIfPresent(Int64.self, forKey: .id) { id = String(number) } else {
            id = try c.decodeIfPresent(String.self, forKey: .id)
        }
        channel = try c.decodeIfPresent(String.self, forKey: .channel)
        seq = try c.decodeIfPresent(Int64.self, forKey: .seq)
        recovered = try c.decodeIfPresent(Bool.self, forKey: .recovered)
        client_id = try c.decodeIfPresent(String.self, forKey: .client_id)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        ts = try c.decodeIfPresent(String.self, forKey: .ts)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        if let object = try? c.decodeIfPresent(UserObject.self, forKey: .user) {
            user = object.id
            username = object.username
        } else {
            user = try c.decodeIfPresent(String.self, forKey: .user)
        }
        status = try c.decodeIfPresent(String.self, forKey: .status)
        ttl_ms = try c.decodeIfPresent(Int.self, forKey: .ttl_ms)
    }

    /// A frame that is not a JSON object with an `op` (a protocol violation) becomes `op: "invalid"`.
    static func parse(_ text: String) -> ChatEvent {
        var event = (try? JSONDecoder().decode(ChatEvent.self, from: Data(text.utf8))) ?? ChatEvent(op: "invalid")
        event.raw = text
        return event
    }

    private init(op: String) { self.op = op }

    var description: String { raw }
}
