import IntegrationSupport
import Foundation
import Testing

extension ChatEndToEnd {
    @Suite("Faults: crashes and restarts lose nothing")
    struct Faults {
        /// Four clients on two edges publish round robin into `channelCount` channels (spread
        /// over the broker's partitions, hence over both origins' sequencers) while `fault`
        /// strikes once `trigger` publishes have been acked; then every subscriber and the
        /// history must hold every message exactly once, gapless.
        static func publishThrough(_ cluster: TestCluster, channelCount: Int = 6, perClient: Int = 24, trigger: Int = 16,
                                   fault: @escaping @Sendable () async throws -> Void) async throws -> [Participant] {
            let names = cluster.edges.keys.sorted()
            let ports = names.map(cluster.port)
            let rest = cluster.rest(names.last)  // the tests crash the first edge, not this one
            let users = [try await rest.signup("f0"), try await rest.signup("f1")]
            let channels = try await Array(0..<channelCount).asyncMap { _ in try await rest.createChannel(users[0]) }
            var participants: [Participant] = []
            for (index, user) in users.enumerated() {
                for slot in 0..<2 {
                    let edges = slot == 0 ? ports : ports.reversed()
                    let participant = try await Participant.join("u\(index)s\(slot)", account: user, edges: edges)
                    for channel in channels { try await participant.subscribe(channel) }
                    participants.append(participant)
                }
            }
            let acked = Counter()
            let faultDone = Counter()
            let started = ContinuousClock.now
            // Each client publishes at least `perClient` messages and keeps going until the
            // fault is over and it has published 3 more after it.
            let counts = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                group.addTask {
                    while acked.value < trigger { try await Task.sleep(for: .milliseconds(5)) }
                    let struck = ContinuousClock.now
                    try await fault()
                    print("[chat-it] fault struck after \(acked.value) acks and lasted \(ContinuousClock.now - struck)")
                    faultDone.increment()
                    return (-1, 0)
                }
                for (index, participant) in participants.enumerated() {
                    group.addTask {
                        var n = 0
                        var after = 0
                        while n < perClient || after < 3 {
                            if faultDone.value > 0 { after += 1 }
                            try await participant.publish(channels[n % channels.count], clientID: "s\(index % 2)-m\(n)", attemptTimeout: .seconds(7),
                                                          deadline: .seconds(90))
                            acked.increment()
                            n += 1
                        }
                        return (index, n)
                    }
                }
                var counts: [Int: Int] = [:]
                for try await (index, n) in group where index >= 0 { counts[index] = n }
                return counts
            }
            let attempts = await participants.asyncMap { await $0.attempts }.reduce(0, +)
            print("[chat-it] \(acked.value) messages through the fault in \(ContinuousClock.now - started), \(attempts) attempts")
            var expected: [String: Set<String>] = [:]
            for (index, participant) in participants.enumerated() {
                for n in 0..<counts[index]! {
                    expected[channels[n % channels.count], default: []].insert("\(participant.account.id)|s\(index % 2)-m\(n)")
                }
            }
            try await Delivery.verify(participants, expected: expected, rest: rest, reader: users[1])
            return participants
        }

        @Test("kill -9 of one of two origins while clients publish: nothing lost, nothing doubled")
        func originCrash() async throws {
            try await TestCluster.with(origins: ["oa", "ob"], edges: [("ex", ["oa", "ob"]), ("ey", ["oa", "ob"])]) { cluster in
                _ = try await Self.publishThrough(cluster) { await cluster.crash("oa") }
            }
        }

        @Test("kill -9 of an edge: its clients resume on the other edge with since, nothing missing")
        func edgeCrash() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"]), ("ey", ["oa"])]) { cluster in
                let participants = try await Self.publishThrough(cluster) { await cluster.crash("ex") }
                for participant in participants where await participant.edges.first == cluster.port("ex") {
                    let connections = await participant.connections
                    #expect(connections.count >= 2 && connections.last?.port == cluster.port("ey"),
                            "\(participant.name) should have moved to the other edge")
                    let resumed = await participant.subscribedReplies.dropFirst()
                    #expect(resumed.allSatisfy { $0.recovered == true }, "\(resumed.map(\.raw))")
                }
            }
        }

        /// Against the profile's durable broker (test: Tansu on S3 beside the in-memory one;
        /// dev: the broker itself): a restart keeps its log, as every Kafka deployment does.
        @Test("the broker stops while clients publish and comes back: nothing lost, nothing doubled")
        func brokerRestart() async throws {
            try await TestCluster.with(origins: ["oa", "ob"], edges: [("ex", ["oa", "ob"]), ("ey", ["oa", "ob"])],
                                   durableBroker: true) { cluster in
                guard let service = cluster.infra.durableKafkaService else {
                    throw TestFailure("STREAMLY_KAFKA_DURABLE_SERVICE is not set: source .state/<profile>/env.sh")
                }
                _ = try await Self.publishThrough(cluster) {
                    try await Infra.service("stop", service)
                    // Publishes keep coming (and keep being retried) while the log is down.
                    try await Task.sleep(for: .seconds(3))
                    try await Infra.service("start", service)
                }
            }
        }
    }
}
