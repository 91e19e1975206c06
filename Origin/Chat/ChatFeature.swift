import Logging
import StreamLyLink
import StreamLyOriginNative
import StreamLyStore

/// Chat on an origin: the link methods for channels and messages, the sequencer group member
/// and the fan-out consumer, on the shared `Infrastructure`. Both consumers are supervised:
/// re-created after a fatal error.
struct ChatFeature: Sendable {
    let router: ChatRouter
    let sequencer: MessageSequencer
    let fanout: EventFanout
    let sequencerConsumer: SupervisedConsumer
    let fanoutConsumer: SupervisedConsumer
    let topics: ChatTopics

    static func make(_ infrastructure: Infrastructure, attachments: AttachmentRouter,
                     edges: @escaping @Sendable () -> [LinkConnection], logger: Logger) throws -> ChatFeature {
        let configuration = infrastructure.configuration
        let topics = ChatTopics(namespace: configuration.kafkaNamespace)
        // A group without committed offsets (a new deployment) must not skip publishes.
        let sequencerGroup = switch configuration.sequencerGroup {
        case .shared: topics.sequencerGroup
        case .perOrigin: "\(topics.sequencerGroup)-\(configuration.nodeID)"
        }
        let sequencerConsumer = SupervisedConsumer(name: "chat-sequencer", logger: logger) {
            try infrastructure.consumer(groupID: sequencerGroup, topics: [topics.publish], from: .earliest,
                                        staticMember: configuration.nodeID)
        }
        // A new group of its own each time (a replacement reads from now on: what it missed
        // reaches the edges through their tail checks and gap fills).
        let fanoutConsumer = SupervisedConsumer(name: "chat-fanout", logger: logger) {
            try infrastructure.consumer(groupID: infrastructure.ownGroup(prefix: topics.fanoutGroupPrefix),
                                        topics: [topics.events], from: .latest)
        }
        let pending = PendingPublishes()
        let messages = MessageStore(database: infrastructure.database)
        return ChatFeature(
            router: ChatRouter(channels: ChannelStore(database: infrastructure.database), messages: messages,
                               producer: infrastructure.producer, topic: topics.publish, pending: pending,
                               attachments: attachments, publishTimeout: configuration.publishTimeout,
                               quotas: configuration.quotas),
            sequencer: MessageSequencer(producer: infrastructure.producer,
                                        eventsTopic: topics.events, deadLetterTopic: topics.deadLetter, messages: messages,
                                        logger: logger,
                                        retry: MessageSequencer.retryPolicy(maxAttempts: configuration.sequencerMaxAttempts)),
            fanout: EventFanout(pending: pending, edges: edges, logger: logger),
            sequencerConsumer: sequencerConsumer, fanoutConsumer: fanoutConsumer, topics: topics)
    }

    /// The topics chat writes, to create at start-up.
    var topicNames: [String] { [topics.publish, topics.events, topics.deadLetter] }

    /// The topics whose records only carry messages to their consumers (PostgreSQL keeps
    /// them): created with `kafka.topic.chat.retention.ms`.
    var transportTopicNames: Set<String> { [topics.publish, topics.events] }

    /// Runs the sequencer and the fan-out until `close()`, each on a supervised consumer.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await sequencerConsumer.run { try await sequencer.run($0) } }
            group.addTask { await fanoutConsumer.run { try await fanout.run($0) } }
        }
    }

    /// Leaves the consumer groups.
    func close() async {
        await sequencerConsumer.close()
        await fanoutConsumer.close()
    }
}
