import Foundation

/// The outcome of `MessageStore.append`: where the message sits in the channel.
public struct AppendResult: Sendable, Hashable {
    public var seq: Int64
    public var id: UUID
    public var createdAt: Date
    /// True when (channel, author, client_id) already existed: this is the original
    /// message's position, and nothing new was written.
    public var duplicate: Bool

    public init(seq: Int64, id: UUID, createdAt: Date, duplicate: Bool) {
        self.seq = seq
        self.id = id
        self.createdAt = createdAt
        self.duplicate = duplicate
    }
}
