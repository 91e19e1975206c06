/// JSON bodies of the chat link methods that are not public REST shapes.
public enum ChatLinkBodies {
    /// `chat.publish` request.
    public struct Publish: Codable, Sendable {
        public var channel: String
        public var clientID: String
        public var body: String
        public var attachments: [String]?

        enum CodingKeys: String, CodingKey {
            case channel, clientID = "client_id", body, attachments
        }
        public init(channel: String, clientID: String, body: String, attachments: [String]?) {
            self.channel = channel
            self.clientID = clientID
            self.body = body
            self.attachments = attachments
        }
    }

    /// `chat.publish` answer: the message is committed with this seq.
    public struct Published: Codable, Sendable, Equatable {
        public var channel: String
        public var seq: Int64
        public var id: String
        public var duplicate: Bool
        public init(channel: String, seq: Int64, id: String, duplicate: Bool) {
            self.channel = channel
            self.seq = seq
            self.id = id
            self.duplicate = duplicate
        }
    }

    /// `chat.subscribe` request. The answer's metadata carries `last-seq` and
    /// `recovered`; its body is the missed `message` events (seq > since), one JSON
    /// object per line, oldest first.
    public struct Subscribe: Codable, Sendable {
        public var channel: String
        public var since: Int64?
        public init(channel: String, since: Int64?) {
            self.channel = channel
            self.since = since
        }
    }

    /// `messages.history` request (REST `GET /channels/{id}/messages`).
    public struct History: Codable, Sendable {
        public var channel: String
        public var after: Int64?
        public var before: Int64?
        public var limit: Int?
        public init(channel: String, after: Int64?, before: Int64?, limit: Int?) {
            self.channel = channel
            self.after = after
            self.before = before
            self.limit = limit
        }
    }

    /// `channels.list` request (REST `GET /channels?cursor=&limit=`).
    public struct ListChannels: Codable, Sendable {
        public var cursor: String?
        public var limit: Int?
        public init(cursor: String? = nil, limit: Int? = nil) {
            self.cursor = cursor
            self.limit = limit
        }

        /// Channels per page without `limit`, and the most a page holds.
        public static let defaultLimit = 100
        public static let maxLimit = 500
    }

    /// `channels.members.add` request.
    public struct AddMember: Codable, Sendable {
        public var channel: String
        public var userID: String

        enum CodingKeys: String, CodingKey {
            case channel, userID = "user_id"
        }
        public init(channel: String, userID: String) {
            self.channel = channel
            self.userID = userID
        }
    }
}
