import Foundation

/// A durable chat message. `seq` is gapless per channel and starts at 1.
public struct Message: Sendable, Hashable {
    public var channelID: UUID
    public var seq: Int64
    public var id: UUID
    public var authorID: UUID
    /// The publisher's idempotency key, unique per (channel, author).
    public var clientID: String
    public var body: String
    public var attachments: [MessageAttachment]
    public var createdAt: Date

    public init(channelID: UUID, seq: Int64, id: UUID, authorID: UUID, clientID: String,
                body: String, attachments: [MessageAttachment], createdAt: Date) {
        self.channelID = channelID
        self.seq = seq
        self.id = id
        self.authorID = authorID
        self.clientID = clientID
        self.body = body
        self.attachments = attachments
        self.createdAt = createdAt
    }
}
