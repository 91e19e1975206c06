
/// A message delivered to a subscriber (RESP2 push arrays `message` and `pmessage`).
public struct RedisPubSubMessage: Hashable, Sendable {
    /// The channel the message was published to.
    public var channel: String
    /// The pattern that matched, for messages received through `psubscribe`.
    public var pattern: String?
    /// The message bytes exactly as published.
    public var payload: [UInt8]

    public init(channel: String, pattern: String? = nil, payload: [UInt8]) {
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }

    /// Parses `["message", channel, payload]` or `["pmessage", pattern, channel, payload]`;
    /// nil for any other value (subscription confirmations, command replies).
    init?(push value: RESPValue) {
        guard case .array(let elements?) = value, let kind = elements.first, case .bulk(let kindBytes?) = kind else {
            return nil
        }
        switch (kindBytes, elements.count) {
        case (Array("message".utf8), 3):
            guard case .bulk(let channel?) = elements[1], case .bulk(let payload) = elements[2] else { return nil }
            self.init(channel: String(decoding: channel, as: UTF8.self), payload: payload ?? [])
        case (Array("pmessage".utf8), 4):
            guard case .bulk(let pattern?) = elements[1], case .bulk(let channel?) = elements[2],
                  case .bulk(let payload) = elements[3] else { return nil }
            self.init(channel: String(decoding: channel, as: UTF8.self),
                      pattern: String(decoding: pattern, as: UTF8.self), payload: payload ?? [])
        default:
            return nil
        }
    }
}
