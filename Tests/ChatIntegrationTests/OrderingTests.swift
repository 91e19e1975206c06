import IntegrationSupport
import Testing

extension ChatEndToEnd {
    @Suite("Ordering and exactly-once effect")
    struct Ordering {
        /// Two origins, two edges each linked to both; three users with a client on each
        /// edge publish concurrently into two channels. Client ids repeat across users on
        /// purpose: deduplication is per (author, client_id), not per channel.
        @Test("concurrent publishers over 2 edges × 2 origins: every subscriber sees the same gapless sequence, each message once, acked with its seq")
        func concurrentPublishers() async throws {
            try await TestCluster.with(origins: ["oa", "ob"], edges: [("ex", ["oa", "ob"]), ("ey", ["oa", "ob"])]) { cluster in
                let rest = cluster.rest()
                let ports = [cluster.port("ex"), cluster.port("ey")]
                var users: [REST.Account] = []
                for index in 0..<3 { users.append(try await rest.signup("order\(index)")) }
                let channels = [try await rest.createChannel(users[0]), try await rest.createChannel(users[1])]
                var participants: [(participant: Participant, slot: Int)] = []
                for (index, user) in users.enumerated() {
                    for slot in 0..<2 {
                        let edges = slot == 0 ? ports : ports.reversed()
                        let participant = try await Participant.join("u\(index)s\(slot)", account: user, edges: edges)
                        for channel in channels { try await participant.subscribe(channel) }
                        participants.append((participant, slot))
                    }
                }
                let perClient = 30
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (participant, slot) in participants {
                        group.addTask {
                            for n in 0..<perClient {
                                let channel = channels[n % 2]
                                let clientID = "s\(slot)-m\(n)"
                                if n == 11 {
                                    // The answer to this publish is lost with the connection; the retry
                                    // on the other edge must land once, whether or not the first one did.
                                    try await participant.publishAndDrop(channel, clientID: clientID)
                                }
                                let seq = try await participant.publish(channel, clientID: clientID)
                                if n % 7 == 3 {
                                    let again = try await participant.publish(channel, clientID: clientID)
                                    #expect(again == seq, "\(participant.name): retry of \(clientID) acked \(again), first ack \(seq)")
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                print("[chat-it] ordering: \(participants.count * perClient) messages published in \(ContinuousClock.now - started)")
                var expected: [String: Set<String>] = [:]
                for (participant, slot) in participants {
                    for n in 0..<perClient {
                        expected[channels[n % 2], default: []].insert("\(participant.account.id)|s\(slot)-m\(n)")
                    }
                }
                try await Delivery.verify(participants.map(\.participant), expected: expected, rest: rest, reader: users[2])
                for (participant, _) in participants {
                    #expect(await participant.connections.count == 2, "\(participant.name) should have reconnected once")
                    for reply in await participant.subscribedReplies.dropFirst(2) {
                        #expect(reply.recovered == true, "resubscribe after reconnect: \(reply.raw)")
                    }
                }
            }
        }
    }
}
