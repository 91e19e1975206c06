import IntegrationSupport
import Testing

extension ChatEndToEnd {
    @Suite("Requests pipelined behind auth")
    struct Pipelining {
        /// A client that sends `auth`, `subscribe` and `publish` back to back, without waiting
        /// for any answer (as a real client does on a slow link), is authenticated, subscribed
        /// and acknowledged, in that order: the edge handles a connection's frames in order,
        /// `auth` included (DESIGN.md, WebSocket contract).
        @Test("auth + subscribe + publish sent back to back: answered in order, subscribed with the replay, the publish delivered once")
        func authThenSubscribeWithoutWaiting() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"])]) { cluster in
                let port = cluster.port("ex")
                let rest = cluster.rest()
                let alice = try await rest.signup("alice")
                let channel = try await rest.createChannel(alice)
                let owner = try await rest.signup("owner")
                let privateChannel = try await rest.createChannel(owner, private: true)
                // Something to replay: a message published before the pipelined client connects.
                let earlier = try await ChatClient.connect(port: port, name: "alice")
                try await earlier.auth(alice.token)
                let first = try await earlier.publishOnce(channel, clientID: "before", body: "before", timeout: .seconds(15))
                try #require(first?.op == "ack", "\(first?.raw ?? "no answer")")
                earlier.close()

                for round in 0..<3 {
                    let client = try await ChatClient.connect(port: port, name: "pipelined #\(round)")
                    client.send(["op": "auth", "token": alice.token, "id": 1])
                    client.send(["op": "subscribe", "channel": channel, "since": 0, "id": 2])
                    client.send(["op": "subscribe", "channel": privateChannel, "id": 3])
                    client.send(["op": "publish", "channel": channel, "client_id": "pipelined-\(round)", "body": "hi \(round)", "id": 4])
                    let ack = try await client.first("ack of the pipelined publish", timeout: .seconds(20)) {
                        ($0.op == "ack" || $0.op == "error") && $0.id == "4"
                    }
                    #expect(ack.op == "ack", "\(ack.raw)")
                    let live = try await client.first("the pipelined publish delivered", timeout: .seconds(20)) {
                        $0.op == "message" && $0.client_id == "pipelined-\(round)"
                    }
                    #expect(live.seq == ack.seq)

                    let replies = client.events.filter { $0.id != nil && $0.op != "message" }
                    #expect(replies.map(\.op) == ["authenticated", "subscribed", "error", "ack"], "\(replies)")
                    #expect(replies.map(\.id) == ["1", "2", "3", "4"], "answered in request order: \(replies)")
                    #expect(replies.first?.user == alice.id)
                    #expect(replies.dropFirst().first?.recovered == true)
                    #expect(replies.dropFirst(2).first?.code == "not_found", "the private channel is refused on its own")
                    #expect(!client.events.contains { $0.code == "unauthorized" }, "no request was refused as sent before auth")
                    // The replay (seq ≤ the subscribed seq) comes before the live message, each seq once.
                    let seqs = client.messages(channel).compactMap(\.seq)
                    #expect(seqs.first == 1 && seqs == Array(1...(ack.seq ?? 0)), "gapless, in order, once: \(seqs)")
                    client.close()
                }

                // A bad token pipelined with a subscribe: closed with 4001, never subscribed.
                let refused = try await ChatClient.closeCode(port: port, name: "pipelined with a bad token") { client in
                    client.send(["op": "auth", "token": "not.a.jwt", "id": 1])
                    client.send(["op": "subscribe", "channel": channel, "id": 2])
                }
                #expect(refused == 4001)

                // The token on the upgrade counts as the first request: a subscribe sent at once is served.
                let upgraded = try await ChatClient.connect(port: port, name: "alice ?token=", queryToken: alice.token)
                upgraded.send(["op": "subscribe", "channel": channel, "id": 9])
                let subscribed = try await upgraded.first("reply to the subscribe behind ?token=", timeout: .seconds(15)) { $0.id == "9" }
                #expect(subscribed.op == "subscribed", "\(subscribed.raw)")
                upgraded.close()
            }
        }
    }
}
