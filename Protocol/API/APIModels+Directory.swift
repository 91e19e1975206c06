/// Who is who: user lookup, channel members and direct channels *(extensions, docs/api.md)*.
extension API {
    /// `GET /users?username=…` or `?ids=a,b,…`: exactly one of the two.
    public struct UserLookup: Codable, Sendable {
        public var username: String?
        public var ids: [String]?
        /// Most ids in one lookup.
        public static let maxIDs = 100

        public init(username: String? = nil, ids: [String]? = nil) {
            self.username = username
            self.ids = ids
        }
    }

    public struct UserList: Codable, Sendable, Equatable {
        public var users: [User]
        public init(users: [User]) { self.users = users }
    }

    /// `POST /channels/direct {user_id}`.
    public struct OpenDirect: Codable, Sendable {
        public var userID: String

        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
        }
        public init(userID: String) { self.userID = userID }
    }

    /// One member of a channel; `online` is filled in by the edge from presence.
    public struct Member: Codable, Sendable, Equatable {
        public var id: String
        public var username: String
        public var online: Bool?

        public init(id: String, username: String, online: Bool? = nil) {
            self.id = id
            self.username = username
            self.online = online
        }
    }

    public struct MemberList: Codable, Sendable, Equatable {
        public var members: [Member]
        public init(members: [Member]) { self.members = members }
    }

    /// The link body of `channels.members.list`.
    public struct ChannelRef: Codable, Sendable {
        public var channel: String
        public init(channel: String) { self.channel = channel }
    }

}
