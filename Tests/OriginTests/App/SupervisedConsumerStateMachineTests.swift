import StreamLyOriginNative
import StreamLyRetry
import Testing
@testable import StreamLyOrigin

@Suite("Supervised consumer decisions")
struct SupervisedConsumerStateMachineTests {
    static let retry = RetryPolicy(base: .milliseconds(200), cap: .seconds(5), floor: .zero, jitter: .none)
    static func partitions(_ numbers: Int32...) -> Set<KafkaTopicPartition> {
        Set(numbers.map { KafkaTopicPartition(topic: "t", partition: $0) })
    }

    @Test("starts at once; ready only while it holds partitions")
    func readiness() {
        var machine = SupervisedConsumer.StateMachine(retry: Self.retry)
        #expect(machine.start() == .create(after: .zero))
        #expect(!machine.isAssigned)
        machine.created()
        #expect(!machine.isAssigned)
        machine.rebalanced(.assigned(Self.partitions(0, 1)))
        #expect(machine.isAssigned)
        machine.rebalanced(.revoked(Self.partitions(0), lost: false))
        #expect(machine.isAssigned)
        machine.rebalanced(.revoked(Self.partitions(1), lost: true))
        #expect(!machine.isAssigned)
    }

    @Test("joined once it gets an assignment, an empty one too; each new consumer joins anew")
    func joins() {
        var machine = SupervisedConsumer.StateMachine(retry: Self.retry)
        _ = machine.start()
        machine.created()
        #expect(!machine.joined)
        machine.rebalanced(.assigned([]))  // a group with more members than partitions
        #expect(machine.joined)
        #expect(!machine.isAssigned)
        _ = machine.ended()
        machine.created()
        #expect(!machine.joined, "the replacement has not joined yet")
        machine.rebalanced(.assigned(Self.partitions(0)))
        #expect(machine.joined)
    }

    @Test("a fatal end re-creates it with growing backoff, reset once a replacement gets partitions")
    func fatalEnds() {
        var machine = SupervisedConsumer.StateMachine(retry: Self.retry)
        _ = machine.start()
        machine.created()
        machine.rebalanced(.assigned(Self.partitions(0)))
        #expect(machine.ended() == .create(after: .milliseconds(200)))
        #expect(!machine.isAssigned)
        machine.created()
        #expect(machine.ended() == .create(after: .milliseconds(400)))
        #expect(machine.creationFailed() == .create(after: .milliseconds(800)))
        machine.created()
        machine.rebalanced(.assigned(Self.partitions(2)))
        #expect(machine.ended() == .create(after: .milliseconds(200)))
        #expect(machine.replacements == 3)
    }

    @Test("after close nothing is created again, whatever ends")
    func closed() {
        var machine = SupervisedConsumer.StateMachine(retry: Self.retry)
        _ = machine.start()
        machine.created()
        machine.rebalanced(.assigned(Self.partitions(0)))
        machine.close()
        #expect(!machine.isAssigned)
        #expect(machine.ended() == .stop)
        #expect(machine.creationFailed() == .stop)
        #expect(machine.start() == .stop)
        machine.created()
        #expect(machine.state == .closed)
        #expect(machine.replacements == 0)
    }
}

@Suite("Producer readiness")
struct EventProducerHealthTests {
    @Test("ready until a record fails; a probe is due until one is written again")
    func outcomes() {
        var health = EventProducer.Health()
        #expect(health.canProduce && !health.needsProbe)
        health.delivered()
        health.failed()
        health.failed()
        #expect(!health.canProduce && health.needsProbe)
        #expect(health.consecutiveFailures == 2)
        health.delivered()
        #expect(health.canProduce && !health.needsProbe)
    }
}
