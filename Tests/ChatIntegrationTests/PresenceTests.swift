import IntegrationSupport
import Testing

extension ChatEndToEnd {
    @Suite("Presence and typing across edges")
    struct Presence {
        @Test("online on edge A is seen on edge B, typing crosses edges with ttl_ms, SIGKILL of A turns the user offline within TTL + sweep")
        func presenceAcrossEdges() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ea", ["oa"]), ("eb", ["oa"])], warmUp: false) { cluster in
                let rest = cluster.rest("eb")
                let alice = try await rest.signup("alice")
                let bob = try await rest.signup("bob")
                let channel = try await rest.createChannel(bob)
                let watcher = try await ChatClient.connect(port: cluster.port("eb"), name: "bob@B")
                try await watcher.auth(bob.token)
                try await watcher.subscribe(channel)

                let typist = try await ChatClient.connect(port: cluster.port("ea"), name: "alice@A", queryToken: alice.token)
                _ = try await typist.first("authenticated from ?token=") { $0.op == "authenticated" && $0.user == alice.id }
                try await typist.subscribe(channel)
                _ = try await watcher.first("alice online", timeout: .seconds(10)) {
                    $0.op == "presence" && $0.user == alice.id && $0.status == "online"
                }

                typist.send(["op": "typing", "channel": channel])
                let typing = try await watcher.first("alice typing", timeout: .seconds(10)) { $0.op == "typing" && $0.user == alice.id }
                #expect(typing.channel == channel)
                #expect((typing.ttl_ms ?? 0) > 0, "typing must say how long it lasts: \(typing.raw)")
                // A user does not receive their own typing or presence.
                try await Task.sleep(for: .milliseconds(300))
                #expect(!typist.events.contains { ($0.op == "typing" || $0.op == "presence") && $0.user == alice.id })

                // A clean disconnect is announced after the offline grace (2 s) and the sweep (2 s).
                let carol = try await rest.signup("carol")
                let leaver = try await ChatClient.connect(port: cluster.port("ea"), name: "carol@A")
                try await leaver.auth(carol.token)
                try await leaver.subscribe(channel)
                _ = try await watcher.first("carol online") { $0.op == "presence" && $0.user == carol.id && $0.status == "online" }
                leaver.close()
                _ = try await watcher.first("carol offline after closing", timeout: .seconds(10)) {
                    $0.op == "presence" && $0.user == carol.id && $0.status == "offline"
                }

                let killed = ContinuousClock.now
                await cluster.crash("ea")
                let offline = try await watcher.firstIfAny(timeout: .seconds(25)) {
                    $0.op == "presence" && $0.user == alice.id && $0.status == "offline"
                }
                #expect(offline != nil, "no offline presence for alice within 25 s of SIGKILL of her edge (ttl 15 s + sweep 2 s)")
                print("[chat-it] presence: offline \(ContinuousClock.now - killed) after SIGKILL of the edge")
            }
        }

        @Test("only changes are announced, each once: reconnects within the grace and repeated subscriptions send nothing; many users coming online reach a watcher once each")
        func noPresenceStorm() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ea", ["oa"]), ("eb", ["oa"])], warmUp: false) { cluster in
                let rest = cluster.rest("eb")
                let owner = try await rest.signup("owner")
                let channel = try await rest.createChannel(owner)
                let watcher = try await ChatClient.connect(port: cluster.port("eb"), name: "owner@B")
                try await watcher.auth(owner.token)
                try await watcher.subscribe(channel)
                func presence(of user: String, _ status: String) -> Int {
                    watcher.events.count { $0.op == "presence" && $0.user == user && $0.status == status }
                }

                // Twelve users come online on the other edge together.
                var users: [(id: String, token: String)] = []
                for index in 0..<12 {
                    let user = try await rest.signup("crowd\(index)")
                    users.append((user.id, user.token))
                }
                var clients = try await withThrowingTaskGroup(of: ChatClient.self) { group in
                    for (index, user) in users.enumerated() {
                        group.addTask {
                            let client = try await ChatClient.connect(port: cluster.port("ea"), name: "crowd\(index)@A")
                            try await client.auth(user.token)
                            try await client.subscribe(channel)
                            return client
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for user in users {
                    _ = try await watcher.first("\(user.id) online") { $0.op == "presence" && $0.user == user.id && $0.status == "online" }
                }

                // Everyone reloads (closes and comes back within the grace) and subscribes twice;
                // a second device of each subscribes too: nothing is news.
                for client in clients { client.close() }
                clients = try await withThrowingTaskGroup(of: [ChatClient].self) { group in
                    for (index, user) in users.enumerated() {
                        group.addTask {
                            let again = try await ChatClient.connect(port: cluster.port("eb"), name: "crowd\(index)@B")
                            try await again.auth(user.token)
                            try await again.subscribe(channel)
                            try await again.subscribe(channel)
                            let device = try await ChatClient.connect(port: cluster.port("ea"), name: "crowd\(index)-phone@A")
                            try await device.auth(user.token)
                            try await device.subscribe(channel)
                            return [again, device]
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                // Beyond the grace (2 s) and two sweeps (2 s each).
                try await Task.sleep(for: .seconds(7))
                for user in users {
                    #expect(presence(of: user.id, "online") == 1, "\(user.id) announced online again after a reload")
                    #expect(presence(of: user.id, "offline") == 0, "\(user.id) announced offline during a reload")
                }

                // The phones go away: the users are still online on their other connection.
                for (index, client) in clients.enumerated() where index % 2 == 1 { client.close() }
                try await Task.sleep(for: .seconds(7))
                #expect(users.allSatisfy { presence(of: $0.id, "offline") == 0 }, "offline announced while another connection lives")

                // Everyone leaves: offline once each.
                for client in clients { client.close() }
                for user in users {
                    _ = try await watcher.first("\(user.id) offline", timeout: .seconds(15)) {
                        $0.op == "presence" && $0.user == user.id && $0.status == "offline"
                    }
                }
                try await Task.sleep(for: .seconds(3))
                for user in users {
                    #expect(presence(of: user.id, "online") == 1 && presence(of: user.id, "offline") == 1,
                            "\(user.id): \(presence(of: user.id, "online")) online, \(presence(of: user.id, "offline")) offline")
                }
            }
        }

        @Test("after a Redis restart typing and presence flow again between edges")
        func redisRestart() async throws {
            // The edges use a Redis of this test's own: restarting the shared one broke the
            // suites running beside it.
            let redis = try await PrivateRedis.start(name: "presence")
            var options = TestCluster.Options.chat()
            options.edgeEnvironment["STREAMLY_REDIS_URL"] = redis.url
            do {
                try await TestCluster.with(options, origins: ["oa"], edges: [("ea", ["oa"]), ("eb", ["oa"])]) { cluster in
                    try await restartRedis(redis, under: cluster)
                }
            } catch {
                await redis.stop()
                throw error
            }
            await redis.stop()
        }

        private func restartRedis(_ redis: PrivateRedis, under cluster: TestCluster) async throws {
            let rest = cluster.rest("eb")
            let (alice, bob) = (try await rest.signup("alice"), try await rest.signup("bob"))
            let channel = try await rest.createChannel(bob)
            let watcher = try await ChatClient.connect(port: cluster.port("eb"), name: "bob@B")
            try await watcher.auth(bob.token)
            try await watcher.subscribe(channel)
            let typist = try await ChatClient.connect(port: cluster.port("ea"), name: "alice@A")
            try await typist.auth(alice.token)
            try await typist.subscribe(channel)

            let started = ContinuousClock.now
            try await redis.restart()
            try await cluster.waitReady()
            // Pub/sub messages sent while an edge is still resubscribing are lost by design,
            // so keep typing (past the 2 s throttle) until one gets through. Nobody typed
            // before the restart.
            var typing: ChatEvent?
            let deadline = ContinuousClock.now + .seconds(20)
            while typing == nil, ContinuousClock.now < deadline {
                typist.send(["op": "typing", "channel": channel])
                typing = try await watcher.firstIfAny(timeout: .milliseconds(2_200)) { $0.op == "typing" && $0.user == alice.id }
            }
            #expect(typing != nil, "typing did not cross edges within 20 s of the Redis restart")
            let dave = try await rest.signup("dave")
            let newcomer = try await ChatClient.connect(port: cluster.port("ea"), name: "dave@A")
            try await newcomer.auth(dave.token)
            try await newcomer.subscribe(channel)
            _ = try await watcher.first("dave online after the Redis restart", timeout: .seconds(10)) {
                $0.op == "presence" && $0.user == dave.id && $0.status == "online"
            }
            print("[chat-it] redis restart: presence back \(ContinuousClock.now - started) after the restart began")
        }
    }
}
