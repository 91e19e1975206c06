import StreamLyStore

/// Kafka topics and groups of the chat pipeline (Origin/README.md), under the deployment's
/// namespace (`kafka.namespace`, default "streamly"), so deployments can share a broker.
struct ChatTopics: Sendable {
    /// Accepted publishes, keyed by channel id: the sequencer group assigns seqs per partition.
    let publish: String
    /// Committed messages, keyed by channel id: every origin reads all of them (its own group)
    /// to answer waiting publishers and push to its edges.
    let events: String
    /// Publishes that can never be stored (PostgreSQL refuses what they carry), keyed by
    /// channel id, with the reason and the source offset as headers: set aside so the
    /// channel's partition moves on, kept for an operator to inspect.
    let deadLetter: String
    /// The consumer group all origins of the deployment share to sequence `publish`.
    let sequencerGroup: String
    /// Prefix of each origin's own fan-out group on `events`.
    let fanoutGroupPrefix: String

    init(namespace: String) {
        publish = "\(namespace).chat.publish"
        events = "\(namespace).chat.events"
        deadLetter = "\(namespace).chat.dead-letter"
        sequencerGroup = "\(namespace)-chat-sequencer"
        fanoutGroupPrefix = "\(namespace)-chat-fanout"
    }
}

/// A publish as it travels through `streamly.chat.publish`.
struct PublishRecord: Codable, Sendable {
    var channel: String
    var author_id: String
    var author_name: String
    var client_id: String
    var body: String
    /// Checked by the publishing origin (`AttachmentRouter.resolve`).
    var attachments: [MessageAttachment]?
    /// Which publish attempt produced this record (random per attempt): a rejection names it,
    /// so it answers only that attempt (`PendingPublishes`). Absent in records of older origins.
    var attempt: String? = nil
}
