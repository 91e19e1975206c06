import Foundation
import IntegrationSupport
import Testing
import WebRTCTestSupport

/// Group calls through a real edge and origin (issue 12, Tests): real aiortc peers in a network
/// namespace (WebRTC peers skip loopback), the edge announcing its end of the veth pair.
@Suite("Calls end to end: aiortc participants through a real edge and origin", .serialized)
struct CallEndToEndTests {
    static func options(announcing address: String) -> TestCluster.Options {
        var options = TestCluster.Options(name: "call-it", clusterSecret: "call-integration-tests-cluster-secret-0123456789")
        // The peers in the namespace reach the edge's WebSocket and media over the veth pair.
        options.edgeEnvironment = ["STREAMLY_HTTP_HOST": "0.0.0.0", "STREAMLY_RTC_ANNOUNCED_IPS": address]
        return options
    }

    static var python: String {
        if let venv = ProcessInfo.processInfo.environment["STREAMLY_VENV"] { return venv + "/bin/python" }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".state/venv/bin/python").path
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/three_party_call.py").path
    }

    /// A WebSocket client that keeps each event as a JSON object.
    typealias Client = WebSocketTestClient<[String: String]>

    static func connect(port: Int, name: String, token: String) async throws -> Client {
        try await Client.connect(port: port, name: name, queryToken: token) { text in
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
            return object.compactMapValues { value in
                switch value {
                case let string as String: string
                case let number as NSNumber: number.stringValue
                default: nil
                }
            }
        }
    }

    @Test("three aiortc participants publish audio+video and decode each other; mute/unmute without renegotiation; one leaves: left + renegotiation; non-members cannot join",
          .enabled(if: NetworkNamespace.isSupported, "needs root for a network namespace"))
    func threeParticipants() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        try await TestCluster.with(Self.options(announcing: namespace.hostAddress), origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            let rest = cluster.rest()
            let port = cluster.port("ea")
            let people = [try await rest.signup("ann"), try await rest.signup("bob"), try await rest.signup("cyd")]
            let channel = try await rest.createChannel(people[0])

            // Authorization: a private channel's call is only for its members.
            let secret = try await rest.createChannel(people[0], private: true)
            let outsider = try await Self.connect(port: port, name: "outsider", token: people[1].token)
            outsider.send(["op": "rtc.join", "channel": secret, "id": "j"])
            let refused = try await outsider.first("rtc.join refused") { $0["id"] == "j" }
            #expect(refused["op"] == "error" && refused["code"] == "not_found", "\(refused)")
            let member = try await Self.connect(port: port, name: "member", token: people[0].token)
            member.send(["op": "rtc.join", "channel": secret, "id": "j"])
            let admitted = try await member.first("rtc.join admitted") { $0["id"] == "j" }
            #expect(admitted["op"] == "rtc.joined", "\(admitted)")
            // Malformed SDP is an error event with a reason; the participant stays in the call.
            member.send(["op": "rtc.offer", "pc": "pub", "sdp": "v=0\r\nnonsense", "id": "o"])
            let malformed = try await member.first("malformed sdp") { $0["id"] == "o" }
            #expect(malformed["op"] == "error" && malformed["code"] == "invalid_sdp", "\(malformed)")
            // A member whose WebSocket closes leaves at once: the others hear `left`.
            #expect(try await rest.addMember(people[0], channel: secret, user: people[2].id).status < 300)
            let second = try await Self.connect(port: port, name: "second member", token: people[2].token)
            second.send(["op": "rtc.join", "channel": secret, "id": "j"])
            let secondJoined = try await second.first("second member joined") { $0["id"] == "j" }
            let secondID = try #require(secondJoined["participant"], "\(secondJoined)")
            _ = try await member.first("joined event") { $0["op"] == "rtc.participant" && $0["state"] == "joined" }
            second.close()
            let left = try await member.first("left event") { $0["op"] == "rtc.participant" && $0["state"] == "left" }
            #expect(left["participant"] == secondID)
            outsider.close()
            member.close()

            let (path, arguments) = namespace.command([
                Self.python, Self.script, "ws://\(namespace.hostAddress):\(port)/ws", channel,
            ] + people.map(\.token))
            let (status, output) = try await ChildProcess.run(path, arguments)
            let text = String(decoding: output, as: UTF8.self)
            let verdict = text.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
            let metrics = try await curl("http://127.0.0.1:\(cluster.operatorPort("ea"))/metrics", [], maxTime: 10).text
            let rtcMetrics = metrics.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc") }.joined(separator: "\n")
            #expect(status == 0 && verdict.contains(#""ok": true"#), "aiortc call: \(text.suffix(4000))\nedge: \(rtcMetrics)")
            // The edge counted what it forwarded.
            #expect(rtcMetrics.contains("streamly_rtc_forwarded_packets_total"), "\(rtcMetrics)")
        }
    }

    @Test("an edge that drains ends its calls: each participant hears the others leave and its own rtc.left (rejoin: join again through another edge), then 1001")
    func drainEndsCalls() async throws {
        // No media: signaling alone makes participants, so no namespace is needed.
        try await TestCluster.with(Self.options(announcing: "10.199.0.1"), origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            let rest = cluster.rest()
            let port = cluster.port("ea")
            let ann = try await rest.signup("ann")
            let bob = try await rest.signup("bob")
            let channel = try await rest.createChannel(ann)
            let first = try await Self.connect(port: port, name: "ann", token: ann.token)
            first.send(["op": "rtc.join", "channel": channel, "id": "j"])
            let annJoined = try await first.first("ann joined") { $0["id"] == "j" }
            let annID = try #require(annJoined["participant"], "\(annJoined)")
            let second = try await Self.connect(port: port, name: "bob", token: bob.token)
            second.send(["op": "rtc.join", "channel": channel, "id": "j"])
            let bobJoined = try await second.first("bob joined") { $0["id"] == "j" }
            #expect(bobJoined["op"] == "rtc.joined", "\(bobJoined)")
            _ = try await first.first("bob's joined event") { $0["op"] == "rtc.participant" && $0["state"] == "joined" }

            await cluster.drain("ea")

            // Events are kept by the clients: what arrived before the close is all there is.
            let left = try await second.first("ann's left event") {
                $0["op"] == "rtc.participant" && $0["state"] == "left"
            }
            #expect(left["participant"] == annID, "\(left)")
            for client in [first, second] {
                let ended = try await client.first("rtc.left") { $0["op"] == "rtc.left" }
                // `rejoin` true (JSON true reads "1" here): the call goes on elsewhere.
                #expect(ended["channel"] == channel && ended["reason"] != nil && ended["rejoin"] == "1", "\(ended)")
                #expect(try await client.closed() == 1001)
            }
        }
    }
}
