/// JSON shapes of the public REST API (docs/api.md), shared by the edge (which
/// serves them) and the origin (which produces them). Field names are the wire names.
public enum API {
    public struct Credentials: Codable, Sendable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public struct RefreshRequest: Codable, Sendable {
        public var refreshToken: String

        enum CodingKeys: String, CodingKey {
            case refreshToken = "refresh_token"
        }
        public init(refreshToken: String) { self.refreshToken = refreshToken }
    }

    public struct User: Codable, Sendable, Equatable {
        public var id: String
        public var username: String
        public init(id: String, username: String) {
            self.id = id
            self.username = username
        }
    }

    public struct AuthResponse: Codable, Sendable {
        public var user: User
        public var accessToken: String
        public var refreshToken: String

        enum CodingKeys: String, CodingKey {
            case user, accessToken = "access_token", refreshToken = "refresh_token"
        }
        public init(user: User, accessToken: String, refreshToken: String) {
            self.user = user
            self.accessToken = accessToken
            self.refreshToken = refreshToken
        }
    }

    public struct CreateChannel: Codable, Sendable {
        public var name: String
        public var `private`: Bool?
        public init(name: String, private: Bool?) {
            self.name = name
            self.private = `private`
        }
    }

    public struct Channel: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var `private`: Bool
        /// `public`, `private` or `direct` *(extension)*.
        public var kind: String?
        /// The seq of the channel's newest message, 0 when empty *(extension)*.
        public var lastSeq: Int64?

        enum CodingKeys: String, CodingKey {
            case id, name, `private`, kind, lastSeq = "last_seq"
        }
        public init(id: String, name: String, private: Bool, kind: String? = nil, lastSeq: Int64? = nil) {
            self.id = id
            self.name = name
            self.private = `private`
            self.kind = kind
            self.lastSeq = lastSeq
        }
    }

    /// `GET /channels`: one page, oldest first; `next_cursor` (absent on the last page) is
    /// passed back as `?cursor=` for the next one.
    public struct ChannelList: Codable, Sendable {
        public var channels: [Channel]
        public var nextCursor: String?
        public init(channels: [Channel], nextCursor: String? = nil) {
            self.channels = channels
            self.nextCursor = nextCursor
        }

        enum CodingKeys: String, CodingKey {
            case channels
            case nextCursor = "next_cursor"
        }
    }

    public struct AddMember: Codable, Sendable {
        public var userID: String

        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
        }
        public init(userID: String) { self.userID = userID }
    }

    /// A chat message as REST history returns it and as the `message` event carries it
    /// (the event adds `op`).
    public struct Message: Codable, Sendable, Equatable {
        public var channel: String
        public var seq: Int64
        public var id: String
        public var clientID: String
        public var author: String
        public var body: String
        public var ts: String
        public var attachments: [Attachment]?

        enum CodingKeys: String, CodingKey {
            case channel, seq, id, clientID = "client_id", author, body, ts, attachments
        }
        public init(channel: String, seq: Int64, id: String, clientID: String, author: String, body: String,
                    ts: String, attachments: [Attachment]?) {
            self.channel = channel
            self.seq = seq
            self.id = id
            self.clientID = clientID
            self.author = author
            self.body = body
            self.ts = ts
            self.attachments = attachments
        }
    }

    public struct MessageList: Codable, Sendable {
        public var messages: [Message]
        public init(messages: [Message]) { self.messages = messages }
    }

    /// `{error: {code, message, retry_after?}}`, the body of every non-2xx answer;
    /// `retry_after` (seconds) comes with `rate_limited` (429), as does the `Retry-After` header.
    public struct ErrorBody: Codable, Sendable {
        public struct Detail: Codable, Sendable {
            public var code: ErrorCode
            public var message: String
            public var retryAfter: Int?

            enum CodingKeys: String, CodingKey {
                case code, message
                case retryAfter = "retry_after"
            }
        }
        public var error: Detail
        public init(code: ErrorCode, message: String, retryAfter: Int? = nil) {
            error = Detail(code: code, message: message, retryAfter: retryAfter)
        }
    }
}
