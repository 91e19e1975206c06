import IntegrationSupport
import Testing

extension ChatEndToEnd {
    @Suite("Replay with since")
    struct Replay {
        @Test("reconnect with since: recovered:true, exactly the missed messages in order, then live ones; too far behind: recovered:false and history")
        func replay() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"]), ("ey", ["oa"])]) { cluster in
                let rest = cluster.rest()
                let (ex, ey) = (cluster.port("ex"), cluster.port("ey"))
                let alice = try await rest.signup("alice")
                let bob = try await rest.signup("bob")
                let channel = try await rest.createChannel(bob)
                let reader = try await Participant.join("alice", account: alice, edges: [ex, ey])
                try await reader.subscribe(channel)
                let writer = try await Participant.join("bob", account: bob, edges: [ex, ey])
                var next = 0
                /// Publishes the next `count` messages; returns the last one's seq.
                @Sendable func publish(_ range: Range<Int>) async throws {
                    for n in range { try await writer.publish(channel, clientID: "m\(n)") }
                }
                func publish(_ count: Int) async throws {
                    try await publish(next..<(next + count))
                    next += count
                }

                // Quiet replay: K messages while away, none during the resubscribe.
                try await publish(5)
                #expect(try await reader.waitUntilSeen(channel, through: 5))
                let away = await reader.client
                away.close()
                _ = try await away.closed()
                let k = 12
                try await publish(k)
                let back = try await ChatClient.connect(port: ex, name: "alice#back")
                try await back.auth(alice.token)
                let subscribed = try await back.subscribe(channel, since: 5)
                #expect(subscribed.recovered == true && subscribed.seq == Int64(5 + k), "\(subscribed.raw)")
                _ = try await back.first("the last missed message") { $0.op == "message" && $0.seq == Int64(5 + k) }
                try await publish(3)
                _ = try await back.first("live messages") { $0.op == "message" && $0.seq == Int64(5 + k + 3) }
                let seqs = back.messages(channel).compactMap(\.seq)
                #expect(seqProblem(seqs, 6...Int64(5 + k + 3)) == nil, "after since=5")
                let order = back.events.map(\.op).filter { $0 == "subscribed" || $0 == "message" }
                #expect(order.first == "subscribed", "subscribed must come before the replay: \(order.prefix(3))")
                back.close()

                // Too far behind (more than the 500 a subscribe replays): recovered:false, no
                // replay, live messages still flow, and history has what was missed.
                let fillers = try await Array(0..<6).asyncMap { index in
                    try await Participant.join("filler\(index)", account: try await rest.signup("fill"), edges: [ex, ey])
                }
                @Sendable func fill(_ round: Int, count: Int) async throws {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (index, filler) in fillers.enumerated() {
                            group.addTask { for n in 0..<count { try await filler.publish(channel, clientID: "f\(round)-\(index)-\(n)") } }
                        }
                        try await group.waitForAll()
                    }
                }
                try await fill(0, count: 86)
                var total = Int64(next + 6 * 86)
                let late = try await ChatClient.connect(port: ex, name: "alice#late")
                try await late.auth(alice.token)
                let stale = try await late.subscribe(channel, since: Int64(next))
                #expect(stale.recovered == false && stale.seq == total, "\(stale.raw)")
                try await publish(1)
                total += 1
                let live = try await late.first("a live message after recovered:false") { $0.op == "message" }
                #expect(live.seq == total, "the first message after recovered:false must be live, got \(live.raw)")
                let history = try await rest.messages(alice, channel: channel)
                #expect(seqProblem(history.map(\.seq), 1...total) == nil, "history")
                late.close()

                // Resubscribe with a long replay while six clients keep publishing, on an edge
                // where nobody else follows the channel: replay and live stream must join
                // without a gap or a duplicate.
                for round in 1...3 {
                    let streaming = Task { try await fill(round, count: 15) }
                    try await Task.sleep(for: .milliseconds(30 * round))
                    let since = total - 400
                    let client = try await ChatClient.connect(port: ey, name: "alice#race\(round)")
                    try await client.auth(alice.token)
                    let reply = try await client.subscribe(channel, since: since)
                    #expect(reply.recovered == true, "\(reply.raw)")
                    try await streaming.value
                    total += 6 * 15
                    let last = total
                    _ = try await client.firstIfAny(timeout: .seconds(10)) { $0.op == "message" && $0.seq == last }
                    let got = client.messages(channel).compactMap(\.seq)
                    #expect(seqProblem(got, (since + 1)...last) == nil, "round \(round): since=\(since), subscribed at \(reply.seq ?? -1)")
                    client.close()
                }
            }
        }
    }
}
