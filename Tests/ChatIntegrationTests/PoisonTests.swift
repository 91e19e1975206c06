import IntegrationSupport
import Testing

extension ChatEndToEnd {
    @Suite("Poison messages")
    struct Poison {
        /// A body with U+0000 used to be accepted by the edge, refused by PostgreSQL and
        /// retried by the sequencer forever, stopping the channel's partition for everyone.
        @Test("a body or client_id with U+0000 is refused with bad_request, and the channel keeps flowing")
        func nulBody() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"])]) { cluster in
                let rest = cluster.rest()
                let mallory = try await rest.signup("mallory")
                let channel = try await rest.createChannel(mallory)
                let attacker = try await ChatClient.connect(port: cluster.port("ex"), name: "poisoner")
                _ = try await attacker.auth(mallory.token)
                _ = try await attacker.subscribe(channel)
                for (clientID, body) in [("poison-1", "before\u{0}after"), ("poison\u{0}2", "fine")] {
                    let answer = try #require(try await attacker.publishOnce(channel, clientID: clientID, body: body, timeout: .seconds(10)))
                    #expect(answer.op == "error" && answer.code == "bad_request", "\(answer.raw)")
                }
                #expect(!attacker.isFinished, "the connection survives the refusal")

                // The channel still works for everyone: a bystander's messages are acked and stored.
                let bystander = try await Participant.join("bystander", account: try await rest.signup("bystander"), edges: [cluster.port("ex")])
                try await bystander.subscribe(channel)
                let seq = try await bystander.publish(channel, clientID: "after-poison", attemptTimeout: .seconds(10), deadline: .seconds(30))
                #expect(seq == 1, "nothing of the poison reached the log")
                #expect(try await bystander.waitUntilSeen(channel, through: seq))
            }
        }
    }
}
