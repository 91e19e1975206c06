/// Link methods, MESSAGE topics and metadata keys the chat features use between
/// edge and origin (documented in `Protocol/README.md`, "Methods"). Bodies are JSON.
public enum ChatLink {
    public enum Method {
        public static let signup = "auth.signup"
        public static let login = "auth.login"
        public static let refresh = "auth.refresh"
        public static let createChannel = "channels.create"
        public static let listChannels = "channels.list"
        public static let addMember = "channels.members.add"
        /// A channel's members (`{channel}` → `API.MemberList`), for readers of the channel.
        public static let listMembers = "channels.members.list"
        /// The direct channel with another user, opened on first use (`API.OpenDirect`).
        public static let openDirect = "channels.direct"
        /// Users by id or by exact username (`API.UserLookup` → `API.UserList`).
        public static let lookupUsers = "users.lookup"
        public static let history = "messages.history"
        /// Access check plus replay for a WebSocket `subscribe`.
        public static let subscribe = "chat.subscribe"
        /// Durable publish; answers once the message has its seq and is committed.
        public static let publish = "chat.publish"
        /// Edge-internal gap fill: the committed events of a seq range, one per line (no user).
        public static let gap = "chat.gap"
    }

    public enum Topic {
        /// Origin → edge: one committed message. Metadata `channel`, `seq`; payload: the
        /// WebSocket `message` event JSON, ready to forward as is.
        public static let message = "chat.message"
    }

    public enum Metadata {
        /// The authenticated user on whose behalf the edge calls (set by the edge only).
        public static let userID = "user-id"
        public static let userName = "user-name"
        public static let channel = "channel"
        public static let seq = "seq"
        public static let lastSeq = "last-seq"
        public static let recovered = "recovered"
    }
}
