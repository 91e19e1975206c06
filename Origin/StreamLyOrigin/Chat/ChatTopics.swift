/// Kafka topics of the chat pipeline (docs/architecture in Origin/README.md).
enum ChatTopics {
    /// Accepted publishes, keyed by channel id: the sequencer group assigns seqs per partition.
    static let publish = "streamly.chat.publish"
    /// Committed messages, keyed by channel id: every origin reads all of them (its own group)
    /// to answer waiting publishers and push to its edges.
    static let events = "streamly.chat.events"
}

/// A publish as it travels through `streamly.chat.publish`.
struct PublishRecord: Codable, Sendable {
    var channel: String
    var author_id: String
    var author_name: String
    var client_id: String
    var body: String
    var attachments: [String]?
}
