import Logging
import StreamLyLink
import StreamLyOriginNative
import StreamLyStore

/// Chat on an origin: the link methods for channels and messages, the sequencer group member
/// and the fan-out consumer, on the shared `Infrastructure`.
struct ChatFeature: Sendable {
    let router: ChatRouter
    let sequencer: MessageSequencer
    let fanout: EventFanout

    static func make(_ infrastructure: Infrastructure, attachments: AttachmentRouter,
                     edges: @escaping @Sendable () -> [LinkConnection], logger: Logger) throws -> ChatFeature {
        let configuration = infrastructure.configuration
        let topics = ChatTopics(namespace: configuration.kafkaNamespace)
        // A group without committed offsets (a new deployment) must not skip publishes.
        let sequencerConsumer = try infrastructure.consumer(
            groupID: topics.sequencerGroup, topics: [topics.publish], from: .earliest)
        let fanoutConsumer = try infrastructure.consumer(
            groupID: infrastructure.ownGroup(prefix: topics.fanoutGroupPrefix), topics: [topics.events], from: .latest)
        let pending = PendingPublishes()
        let messages = MessageStore(database: infrastructure.database)
        return ChatFeature(
            router: ChatRouter(channels: ChannelStore(database: infrastructure.database), messages: messages,
                               producer: infrastructure.producer, topic: topics.publish, pending: pending,
                               attachments: attachments, publishTimeout: configuration.publishTimeout),
            sequencer: MessageSequencer(consumer: sequencerConsumer, producer: infrastructure.producer,
                                        eventsTopic: topics.events, deadLetterTopic: topics.deadLetter, messages: messages,
                                        logger: logger),
            fanout: EventFanout(consumer: fanoutConsumer, pending: pending, edges: edges, logger: logger))
    }

    /// Runs the sequencer and the fan-out until their consumers close.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await sequencer.run() }
            group.addTask { await fanout.run() }
        }
    }

    /// Leaves the consumer groups.
    func close() async {
        await sequencer.consumer.close()
        await fanout.consumer.close()
    }
}
