import StreamLyConfig
@testable import StreamLyOrigin
import Testing

/// The topics an origin creates at start-up: the chat transport topics alone get
/// `kafka.topic.chat.retention.ms` (and a segment.ms below it); the others keep the broker's retention.
@Suite struct KafkaTopicSettingsTests {
    @Test func chatRetentionReachesOnlyTheTransportTopics() throws {
        let settings = try KafkaTopicSettings(ConfigValues([
            "kafka.topic.partitions": "6", "kafka.topic.min.insync.replicas": "2", "kafka.topic.chat.retention.ms": "60000",
        ]))
        let topics = settings.topics(["s.chat.publish", "s.chat.events", "s.chat.dead-letter", "s.vod.jobs"],
                                     transport: ["s.chat.publish", "s.chat.events"])
        let configurations = Dictionary(uniqueKeysWithValues: topics.map { ($0.name, $0.configuration) })
        // A segment younger than the retention: Kafka deletes whole segments.
        let transport = ["min.insync.replicas": "2", "retention.ms": "60000", "segment.ms": "10000"]
        #expect(configurations["s.chat.publish"] == transport)
        #expect(configurations["s.chat.events"] == transport)
        // The dead letters are for an operator to read; video jobs may wait for a worker.
        #expect(configurations["s.chat.dead-letter"] == ["min.insync.replicas": "2"])
        #expect(configurations["s.vod.jobs"] == ["min.insync.replicas": "2"])
        #expect(topics.allSatisfy { $0.partitions == 6 })
    }

    @Test func withoutTheKeyTheBrokersRetentionStays() throws {
        let settings = try KafkaTopicSettings(ConfigValues())
        #expect(settings.chatRetentionMilliseconds == nil)
        #expect(settings.topics(["s.chat.publish"], transport: ["s.chat.publish"]).first?.configuration == [:])
    }

    @Test func aRetentionShorterThanTenSecondsIsRefused() {
        for value in ["0", "5000", "-1", "soon"] {
            #expect(throws: ConfigurationError.self, "\(value)") {
                try KafkaTopicSettings(ConfigValues(["kafka.topic.chat.retention.ms": value]))
            }
        }
    }
}
