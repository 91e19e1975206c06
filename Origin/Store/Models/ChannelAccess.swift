/// What a user may do in a channel, as decided by `ChannelStore.access(userID:channelID:)`.
///
/// Ordered: `.none < .read < .write`.
public enum ChannelAccess: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Not visible: unknown channel, or a private/direct channel the user is not in.
    /// Callers answer "not found" so existence does not leak.
    case none = 0
    /// May subscribe and read history.
    case read = 1
    /// May also publish.
    case write = 2

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .none: "none"
        case .read: "read"
        case .write: "write"
        }
    }
}
