import IntegrationSupport
import Testing

extension ChatEndToEnd {
    /// Records the sequencer gives up (issue 11: a record that can never be stored must never
    /// stall a partition, its publish is answered with an error, retries are bounded). The
    /// store is made to fail for real, by a rule on the shared `messages` table that only rows
    /// carrying this run's marker meet, removed at the end.
    @Suite("Messages the store refuses or cannot take", .serialized)
    struct StoreRefusal {
        /// A refused record used to be set aside on the dead-letter topic without a word: its
        /// publisher waited for the publish timeout and got `timeout`.
        @Test("a publish the store refuses after acceptance is answered invalid_input at once; nothing else is lost")
        func refused() async throws {
            try await Self.withStoreRule("refuse", install: { marker, name in
                ["ALTER TABLE messages ADD CONSTRAINT \(name) CHECK (position('\(marker)' in body) = 0) NOT VALID"]
            }, remove: { name in
                ["ALTER TABLE messages DROP CONSTRAINT IF EXISTS \(name)"]
            }) { cluster, rule in
                let (publisher, channel) = try await Self.publisher(cluster)
                let before = try await publisher.publish(channel, clientID: "before", attemptTimeout: .seconds(20), deadline: .seconds(60))
                let client = await publisher.client
                let answer = try await Self.answer(client, channel, clientID: "refused", body: "x \(rule.marker) y")
                #expect(answer.op == "error" && answer.code == "invalid_input", "\(answer.raw)")
                #expect(!(answer.message ?? "").contains("constraint"), "the store's internals leak: \(answer.raw)")
                #expect(!client.isFinished, "the connection survives the refusal")

                // The channel moves on: the next message gets the next seq and reaches a subscriber.
                let after = try await publisher.publish(channel, clientID: "after", attemptTimeout: .seconds(20), deadline: .seconds(60))
                #expect(before == 1 && after == 2, "seqs \(before), \(after): the refused message took none")
                #expect(try await publisher.waitUntilSeen(channel, through: after))
                #expect(try await Self.rejected(cluster, reason: "refused") == 1)
            }
        }

        /// The sequencer used to retry an append that kept failing without end, holding the
        /// channel's partition for everyone.
        @Test("an append that keeps failing is given up after chat.sequencer.max.attempts: unavailable, counted; a retry stores it later")
        func retriesExhausted() async throws {
            try await Self.withStoreRule("transient", maxAttempts: 3, install: { marker, name in
                ["""
                 CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                   IF position('\(marker)' in NEW.body) > 0 THEN
                     RAISE EXCEPTION 'test: the store is failing' USING ERRCODE = '40001';
                   END IF;
                   RETURN NEW;
                 END $$
                 """, "CREATE TRIGGER \(name) BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION \(name)()"]
            }, remove: { name in
                ["DROP TRIGGER IF EXISTS \(name) ON messages", "DROP FUNCTION IF EXISTS \(name)()"]
            }) { cluster, rule in
                let (publisher, channel) = try await Self.publisher(cluster)
                let before = try await publisher.publish(channel, clientID: "before", attemptTimeout: .seconds(20), deadline: .seconds(60))
                let client = await publisher.client
                let body = "x \(rule.marker) y"
                let answer = try await Self.answer(client, channel, clientID: "failing", body: body)
                #expect(answer.op == "error" && answer.code == "unavailable", "\(answer.raw)")
                #expect(answer.message?.contains("retry with the same client_id") == true, "\(answer.raw)")
                #expect(try await Self.rejected(cluster, reason: "retries_exhausted") == 1)

                // The channel moved on meanwhile.
                let after = try await publisher.publish(channel, clientID: "after", attemptTimeout: .seconds(20), deadline: .seconds(60))
                #expect(before == 1 && after == 2, "seqs \(before), \(after)")

                // Once the store takes it again, the client's retry with the same client_id stores it.
                try await rule.remove()
                let retried = try await publisher.publish(channel, clientID: "failing", body: body,
                                                          attemptTimeout: .seconds(20), deadline: .seconds(60))
                #expect(retried == 3)
                #expect(try await publisher.waitUntilSeen(channel, through: retried))
            }
        }

        /// A rule on the store, in force from `withStoreRule` until `remove()` or the end.
        struct StoreRule: Sendable {
            let cluster: TestCluster
            /// What the rule's rows carry.
            let marker: String
            let removal: [String]

            func remove() async throws {
                for statement in removal { try await StoreRefusal.sql(cluster, statement) }
            }
        }

        /// A chat cluster whose origin gives a record up after `maxAttempts` appends and answers
        /// publishes within 120 s (far longer than the tests wait: only a rejection answers in
        /// time), with the store rule `install(marker, name)` in force during `body`.
        static func withStoreRule(_ kind: String, maxAttempts: Int = 30, install: (String, String) -> [String],
                                  remove: (String) -> [String], _ body: (TestCluster, StoreRule) async throws -> Void) async throws {
            var options = TestCluster.Options.chat()
            options.originEnvironment["STREAMLY_CHAT_PUBLISH_TIMEOUT_MS"] = "120000"
            options.originEnvironment["STREAMLY_CHAT_SEQUENCER_MAX_ATTEMPTS"] = String(maxAttempts)
            try await TestCluster.with(options, origins: ["oa"], edges: [("ex", ["oa"])]) { cluster in
                try await cluster.warmUp()
                let name = "test_\(kind)_\(cluster.run.filter { $0.isLetter || $0.isNumber })"
                let rule = StoreRule(cluster: cluster, marker: "\(kind)-\(cluster.run)", removal: remove(name))
                do {
                    for statement in install(rule.marker, name) { try await sql(cluster, statement) }
                    try await body(cluster, rule)
                } catch {
                    try? await rule.remove()
                    throw error
                }
                try await rule.remove()
            }
        }

        /// A subscribed publisher on a new channel of its own.
        static func publisher(_ cluster: TestCluster) async throws -> (Participant, String) {
            let account = try await cluster.rest().signup("alice")
            let channel = try await cluster.rest().createChannel(account)
            let publisher = try await Participant.join("alice", account: account, edges: [cluster.port("ex")])
            try await publisher.subscribe(channel)
            return (publisher, channel)
        }

        /// One publish's answer (well within the 120 s publish timeout), its delay printed.
        static func answer(_ client: ChatClient, _ channel: String, clientID: String, body: String) async throws -> ChatEvent {
            let sent = ContinuousClock.now
            let answer = try #require(try await client.publishOnce(channel, clientID: clientID, body: body, timeout: .seconds(60)),
                                      "no answer to publish \(clientID) within 60 s")
            print("[store refusal] publish \(clientID) answered \(answer.code ?? answer.op) after \(ContinuousClock.now - sent)")
            return answer
        }

        /// `streamly_chat_sequencer_rejected_total{reason}` of the origin.
        static func rejected(_ cluster: TestCluster, reason: String) async throws -> Double {
            try await metricValue("http://127.0.0.1:\(cluster.origins["oa"]!.operatorPort)/metrics",
                                  "streamly_chat_sequencer_rejected_total", labels: "reason=\"\(reason)\"")
        }

        /// Runs `statement` on the cluster's PostgreSQL with psql (a real client).
        static func sql(_ cluster: TestCluster, _ statement: String) async throws {
            let (status, output) = try await ChildProcess.run("/usr/bin/psql", [
                cluster.infra.postgresURL, "-v", "ON_ERROR_STOP=1", "-q", "-c", statement,
            ])
            guard status == 0 else { throw TestFailure("psql failed (\(status)): \(String(decoding: output, as: UTF8.self))") }
        }
    }
}
