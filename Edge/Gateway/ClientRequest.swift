import Foundation
import StreamLyAPI

/// The `id` a client may attach to a request, echoed in the reply: a string or an integer.
public enum RequestID: Codable, Hashable, Sendable {
    case string(String)
    case number(Int64)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            self = .number(number)
        } else {
            let string = try container.decode(String.self)
            guard string.utf8.count <= 64 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "id longer than 64 bytes")
            }
            self = .string(string)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        }
    }
}

/// One client → edge WebSocket request (docs/api.md, "WebSocket").
public enum ClientRequest: Sendable, Equatable {
    case auth(token: String)
    case subscribe(channel: String, since: Int64?)
    case unsubscribe(channel: String)
    case publish(channel: String, clientID: String, body: String, attachments: [String])
    case typing(channel: String)
    /// Video upload/transcode events for one video (`video` events).
    case watch(video: String)
    case unwatch(video: String)
    /// Liveness check *(extension)*: answered with `pong` in request order, so a client can
    /// tell a dead connection (WebSocket pings are invisible to browsers).
    case ping
    /// Conference signaling (`rtc.*`, docs/api.md "Calls").
    case rtc(RTCRequest)

    /// Why a frame is not a valid request: an error event code and a message.
    public struct Invalid: Error, Equatable, Sendable {
        public var id: RequestID?
        public var code: API.ErrorCode
        public var message: String
    }

    private struct Envelope: Decodable {
        var op: String?
        var id: RequestID?
        var token: String?
        var channel: String?
        var since: Int64?
        var client_id: String?
        var body: String?
        var attachments: [String]?
        var video: String?
        var pc: String?
        var sdp: String?
        var candidate: String?
        var track: String?
        var muted: Bool?
        var quality: String?
        var sources: [String: String]?
    }

    /// Parses a text frame. Unknown fields are ignored; unknown ops and missing or
    /// ill-typed fields are `Invalid`, never a crash.
    public static func parse(_ bytes: some DataProtocol, limits: GatewayLimits) -> Result<(RequestID?, ClientRequest), Invalid> {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(bytes))
        } catch {
            return .failure(Invalid(id: nil, code: .badRequest, message: "frame is not a JSON object of the documented shape"))
        }
        let id = envelope.id
        func invalid(_ code: API.ErrorCode, _ message: String) -> Result<(RequestID?, ClientRequest), Invalid> {
            .failure(Invalid(id: id, code: code, message: message))
        }
        func channel() -> String? {
            guard let channel = envelope.channel, !channel.isEmpty, channel.utf8.count <= 64, !channel.utf8.contains(0) else {
                return nil
            }
            return channel
        }
        switch envelope.op {
        case "auth":
            guard let token = envelope.token, !token.isEmpty, token.utf8.count <= 8_192 else {
                return invalid(.badRequest, "auth needs a token")
            }
            return .success((id, .auth(token: token)))
        case "subscribe":
            guard let channel = channel() else { return invalid(.badRequest, "subscribe needs a channel") }
            if let since = envelope.since, since < 0 { return invalid(.badRequest, "since must be ≥ 0") }
            return .success((id, .subscribe(channel: channel, since: envelope.since)))
        case "unsubscribe":
            guard let channel = channel() else { return invalid(.badRequest, "unsubscribe needs a channel") }
            return .success((id, .unsubscribe(channel: channel)))
        case "publish":
            guard let channel = channel() else { return invalid(.badRequest, "publish needs a channel") }
            guard let clientID = envelope.client_id, !clientID.isEmpty, clientID.utf8.count <= 64 else {
                return invalid(.badRequest, "publish needs a client_id of 1...64 bytes")
            }
            guard let body = envelope.body else { return invalid(.badRequest, "publish needs a body") }
            guard body.utf8.count <= limits.maxBodyBytes else {
                return invalid(.tooLarge, "body exceeds \(limits.maxBodyBytes) bytes")
            }
            // U+0000 can never be stored (PostgreSQL refuses it in text): refused here, with
            // a reason, instead of travelling to the message log.
            guard !body.utf8.contains(0), !clientID.utf8.contains(0) else {
                return invalid(.badRequest, "body and client_id must not contain U+0000")
            }
            let attachments = envelope.attachments ?? []
            guard attachments.count <= limits.maxAttachments, attachments.allSatisfy({ $0.utf8.count <= 64 }) else {
                return invalid(.badRequest, "at most \(limits.maxAttachments) attachment ids")
            }
            return .success((id, .publish(channel: channel, clientID: clientID, body: body, attachments: attachments)))
        case "typing":
            guard let channel = channel() else { return invalid(.badRequest, "typing needs a channel") }
            return .success((id, .typing(channel: channel)))
        case "watch", "unwatch":
            guard let raw = envelope.video, raw.utf8.count <= 64, let video = UUID(uuidString: raw)?.uuidString.lowercased() else {
                return invalid(.badRequest, "\(envelope.op ?? "") needs a video id")
            }
            return .success((id, envelope.op == "watch" ? .watch(video: video) : .unwatch(video: video)))
        case "ping":
            return .success((id, .ping))
        case let op? where op.hasPrefix("rtc."):
            switch RTCRequest.parse(op: op, pc: envelope.pc, channel: channel(), sdp: envelope.sdp,
                                    candidate: envelope.candidate, track: envelope.track, muted: envelope.muted,
                                    quality: envelope.quality, sources: envelope.sources, limits: limits) {
            case .success(let request): return .success((id, .rtc(request)))
            case .failure(let failure): return invalid(failure.code, failure.message)
            }
        case nil:
            return invalid(.badRequest, "missing op")
        case let op?:
            return invalid(.unknownOp, "unknown op \(op.prefix(32))")
        }
    }
}
