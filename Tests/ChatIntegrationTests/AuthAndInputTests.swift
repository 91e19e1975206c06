import IntegrationSupport
import Foundation
import Testing

extension ChatEndToEnd {
    @Suite("Authentication, access control and bad input")
    struct AuthAndInput {
        /// Tokens and private channels share one cluster (neither needs the chat pipeline).
        @Test("bad tokens get 4001 / 401; a non-member of a private channel gets not_found / 404; the control cases are served")
        func tokensAndAccess() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"])], warmUp: false) { cluster in
                let port = cluster.port("ex")
                let rest = cluster.rest()
                let alice = try await rest.signup("alice")
                let valid = TestTokens.claims(user: alice.id, name: alice.username, expiresIn: 600)
                // Control: a token made here the way the origin makes them is accepted, so the
                // refusals below are about what is wrong with each token, not the test's JWTs.
                let control = try TestTokens.hs256(valid)
                let accepted = try await ChatClient.connect(port: port, name: "control")
                #expect(try await accepted.auth(control).user == alice.id)
                #expect(try await rest.call("GET", "/channels", token: control).status == 200)
                accepted.close()

                let bad: [(String, String)] = [
                    ("expired", try TestTokens.hs256(TestTokens.claims(user: alice.id, name: alice.username, expiresIn: -60))),
                    ("forged", try TestTokens.hs256(valid, key: "not-the-signing-key-but-just-as-long-0001")),
                    ("alg none", try TestTokens.none(valid)),
                    ("garbage", "not.a.jwt"),
                    ("wrong issuer", try TestTokens.hs256(valid.merging(["iss": "someone-else"]) { $1 })),
                ]
                for (what, token) in bad {
                    let viaAuth = try await ChatClient.closeCode(port: port, name: "\(what) (auth op)") { client in
                        client.send(["op": "auth", "token": token, "id": 1])
                    }
                    #expect(viaAuth == 4001, "\(what) token in auth")
                    // Read from the socket: the close comes right behind the 101, where the client library can miss it.
                    let viaQuery = try RawWebSocket.closeCode(port: port, path: "/ws?token=\(token)")
                    #expect(viaQuery == 4001, "\(what) token in ?token=")

                    let answer = try await rest.call("GET", "/channels", token: token)
                    #expect(answer.status == 401 && answer.errorCode == "unauthorized", "\(what): HTTP \(answer.status) \(answer.text)")
                }
                let anonymous = try await rest.call("GET", "/channels")
                #expect(anonymous.status == 401 && anonymous.errorCode == "unauthorized")

                // Requests before auth are refused without closing the connection.
                let early = try await ChatClient.connect(port: port, name: "early")
                early.send(["op": "subscribe", "channel": "anything", "id": 7])
                let refused = try await early.first("error before auth") { $0.op == "error" && $0.id == "7" }
                #expect(refused.code == "unauthorized")
                #expect(try await early.auth(alice.token).user == alice.id)
                early.close()

                // Private channels: invisible to non-members, whatever they try.
                let owner = try await rest.signup("owner")
                let outsider = try await rest.signup("outsider")
                let channel = try await rest.createChannel(owner, private: true)

                let client = try await ChatClient.connect(port: port, name: "outsider")
                try await client.auth(outsider.token)
                let publish = try await client.publishOnce(channel, clientID: "sneak", body: "let me in", timeout: .seconds(10))
                #expect(publish?.op == "error" && publish?.code == "not_found", "\(publish?.raw ?? "no reply")")
                let id = client.nextID()
                client.send(["op": "subscribe", "channel": channel, "id": id])
                let subscribe = try await client.first("reply to subscribe") { $0.id == String(id) }
                #expect(subscribe.op == "error" && subscribe.code == "not_found", "\(subscribe.raw)")
                #expect(!client.events.contains { $0.op == "message" })

                let history = try await rest.history(outsider, channel: channel)
                #expect(history.status == 404 && history.errorCode == "not_found", "HTTP \(history.status) \(history.text)")
                let listed = try await rest.call("GET", "/channels", token: outsider.token)
                #expect(listed.status == 200 && !listed.text.contains(channel), "a private channel is listed to a non-member")
                let selfInvite = try await rest.addMember(outsider, channel: channel, user: outsider.id)
                #expect([403, 404].contains(selfInvite.status), "a non-member must not join a private channel: HTTP \(selfInvite.status)")
                #expect(try await rest.history(owner, channel: "not-a-channel-id").status == 404)

                // Control: once added by the owner, the same user is served.
                #expect(try await rest.addMember(owner, channel: channel, user: outsider.id).status == 200)
                #expect(try await rest.history(outsider, channel: channel).status == 200)
                #expect(try await client.subscribe(channel).op == "subscribed")
                client.close()
            }
        }

        @Test("a connection whose token expires is closed with 4001 unless it sends a fresh auth first")
        func tokenExpiry() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"])], warmUp: false) { cluster in
                let port = cluster.port("ex")
                let alice = try await cluster.rest().signup("alice")
                // Each short-lived token is minted just before its use: the renewing client's two
                // auths must land within its 15 s, also on a loaded run (connecting took longer).
                let shortLived = { try TestTokens.hs256(TestTokens.claims(user: alice.id, name: alice.username, expiresIn: 15)) }
                let fresh = try TestTokens.hs256(TestTokens.claims(user: alice.id, name: alice.username, expiresIn: 600))

                let renewing = try await ChatClient.connect(port: port, name: "renewing")
                let expiring = try await ChatClient.connect(port: port, name: "expiring")
                _ = try await renewing.auth(try shortLived())
                _ = try await renewing.auth(fresh)  // before the first token expires
                // Minted after the renewing client's: by the time it expires, so has that one.
                _ = try await expiring.auth(try shortLived())

                #expect(try await expiring.closed(timeout: .seconds(30)) == 4001, "an expired session must be closed")
                #expect(!renewing.isFinished, "a session that re-authenticated stays open")
                _ = try await renewing.subscribe(try await cluster.rest().createChannel(alice))
            }
        }

        @Test("a connection that sends no auth is closed with 4001 at ws.auth.timeout; one that authenticates stays")
        func authDeadline() async throws {
            var options = TestCluster.Options.chat()
            options.edgeEnvironment = ["STREAMLY_WS_AUTH_TIMEOUT": "3"]
            try await TestCluster.with(options, origins: ["oa"], edges: [("ex", ["oa"])]) { cluster in
                let alice = try await cluster.rest().signup("alice")
                let silent = try await ChatClient.connect(port: cluster.port("ex"), name: "silent")
                let prompt = try await ChatClient.connect(port: cluster.port("ex"), name: "prompt")
                _ = try await prompt.auth(try TestTokens.hs256(TestTokens.claims(user: alice.id, name: alice.username, expiresIn: 600)))
                #expect(try await silent.closed(timeout: .seconds(30)) == 4001, "no auth within the deadline")
                #expect(!prompt.isFinished, "an authenticated session outlives the auth deadline")
                _ = try await prompt.subscribe(try await cluster.rest().createChannel(alice))
            }
        }

        @Test("a token that expires before the auth deadline closes its connection at its expiry, not at the deadline")
        func tokenExpiringBeforeTheAuthDeadline() async throws {
            var options = TestCluster.Options.chat()
            options.edgeEnvironment = ["STREAMLY_WS_AUTH_TIMEOUT": "120"]
            try await TestCluster.with(options, origins: ["oa"], edges: [("ex", ["oa"])]) { cluster in
                let alice = try await cluster.rest().signup("alice")
                let client = try await ChatClient.connect(port: cluster.port("ex"), name: "short")
                _ = try await client.auth(try TestTokens.hs256(TestTokens.claims(user: alice.id, name: alice.username, expiresIn: 8)))
                // Before, the session looked at the token only at the auth deadline (120 s here) or
                // after a minute, whichever came first.
                #expect(try await client.closed(timeout: .seconds(40)) == 4001, "closed at the token's expiry")
                let closes = try await metricValue("http://127.0.0.1:\(cluster.operatorPort("ex"))/metrics",
                                                   "streamly_ws_closes_total", labels: "code=\"4001\"")
                #expect(closes == 1, "the edge counts the close by its code")
            }
        }

        @Test("malformed JSON, unknown ops, oversized and binary frames, publish floods: the documented answers, and the edge keeps serving")
        func badInput() async throws {
            try await TestCluster.with(origins: ["oa"], edges: [("ex", ["oa"])]) { cluster in
                let port = cluster.port("ex")
                let rest = cluster.rest()
                let user = try await rest.signup("mallory")
                let channel = try await rest.createChannel(user)

                let client = try await ChatClient.connect(port: port, name: "malformed")
                try await client.auth(user.token)
                client.send(raw: "{not json")
                let malformed = try await client.first("error for malformed JSON") { $0.op == "error" }
                #expect(malformed.code == "bad_request", "\(malformed.raw)")
                client.send(["op": "teleport", "id": 41])
                let unknown = try await client.first("error for an unknown op") { $0.op == "error" && $0.id == "41" }
                #expect(unknown.code == "unknown_op", "\(unknown.raw)")
                client.send(["op": "publish", "channel": channel, "id": 42])
                let incomplete = try await client.first("error for a publish without client_id") { $0.op == "error" && $0.id == "42" }
                #expect(incomplete.code == "bad_request", "\(incomplete.raw)")
                client.send(["op": "publish", "channel": channel, "client_id": "big", "body": String(repeating: "b", count: 9_000), "id": 43])
                let tooLarge = try await client.first("error for a body over 8 KiB") { $0.op == "error" && $0.id == "43" }
                #expect(tooLarge.code == "too_large", "\(tooLarge.raw)")
                // The connection survived all of that.
                #expect(try await client.subscribe(channel).op == "subscribed")
                #expect(!client.isFinished)

                client.send(raw: #"{"op":"publish","body":""# + String(repeating: "x", count: 20_000) + #""}"#)
                #expect(try await client.closed() == 1009, "a 20 KB frame must close with 1009")

                let binary = try await ChatClient.connect(port: port, name: "binary")
                try await binary.auth(user.token)
                binary.send(binary: [0x01, 0x02, 0x03])
                #expect(try await binary.closed() == 1003, "a binary frame must close with 1003")

                let flooder = try await ChatClient.connect(port: port, name: "flooder")
                try await flooder.auth(user.token)
                for n in 0..<160 {
                    flooder.send(["op": "publish", "channel": channel, "client_id": "flood-\(n)", "body": "spam \(n)", "id": 1_000 + n])
                }
                #expect(try await flooder.closed(timeout: .seconds(20)) == 4029, "a publish flood must end with 4029")
                let limited = flooder.events.filter { $0.op == "error" && $0.code == "rate_limited" }
                #expect(!limited.isEmpty, "rate_limited errors must come before the close")

                // After all that the edge still serves everyone else.
                let fresh = try await Participant.join("fresh", account: try await rest.signup("fresh"), edges: [port])
                try await fresh.subscribe(channel)
                let seq = try await fresh.publish(channel, clientID: "still-here", attemptTimeout: .seconds(10), deadline: .seconds(30))
                #expect(seq > 0)
                #expect(try await httpStatus("http://127.0.0.1:\(cluster.operatorPort("ex"))/readyz") == 200)
                #expect(try await httpStatus("http://127.0.0.1:\(port)/readyz") == 404, "readiness is for operators only")
                #expect(try await httpStatus("http://127.0.0.1:\(port)/healthz") == 200)
            }
        }
    }
}
