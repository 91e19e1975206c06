import StreamLyLink
import StreamLyOriginNative
import Synchronization

/// Whether each fan-out consumer (chat events, video events) has joined its group and been
/// given partitions. Until then it would miss what is published (it reads from `latest`), so
/// `/readyz` waits for it: a client that starts once the origin is ready gets every event.
final class FanoutMembership: Sendable {
    private let joined: Mutex<[String: Bool]>
    private let consumers: [(name: String, consumer: KafkaConsumer)]

    init(_ consumers: [(name: String, consumer: KafkaConsumer)]) {
        self.consumers = consumers
        self.joined = Mutex(Dictionary(uniqueKeysWithValues: consumers.map { ($0.name, false) }))
    }

    /// Follows the consumers' assignments until they close.
    func run() async {
        await withDiscardingTaskGroup { group in
            for (name, consumer) in consumers {
                group.addTask {
                    for await change in consumer.rebalances {
                        if case .assigned(let partitions) = change, !partitions.isEmpty {
                            self.joined.withLock { $0[name] = true }
                        }
                    }
                }
            }
        }
    }

    var checks: [ReadinessReport.Check] {
        joined.withLock { joined in
            consumers.map { .init(name: $0.name, ok: joined[$0.name] ?? false, detail: joined[$0.name] == true ? "assigned" : "joining") }
        }
    }
}
