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

                // A clean disconnect is announced at once.
                let carol = try await rest.signup("carol")
                let leaver = try await ChatClient.connect(port: cluster.port("ea"), name: "carol@A")
                try await leaver.auth(carol.token)
                try await leaver.subscribe(channel)
                _ = try await watcher.first("carol online") { $0.op == "presence" && $0.user == carol.id && $0.status == "online" }
                leaver.close()
                _ = try await watcher.first("carol offline after closing", timeout: .seconds(5)) {
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
