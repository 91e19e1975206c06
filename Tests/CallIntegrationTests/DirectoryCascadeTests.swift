import Foundation
import IntegrationSupport
import Testing
import WebRTCTestSupport

/// One call across three edges linked by the edge directory (issue 14): three `streamly-edge`
/// processes in three regions and one origin, no `rtc.relay.peers`: each edge announces its
/// relay address and hosted calls, and links each call to the other edges hosting it. aiortc
/// participants: two on `ea`, two on `eb`, one on `ec` (different subscriber counts per edge).
@Suite("Cascade driven by the edge directory: one call across three edges", .serialized)
struct DirectoryCascadeTests {
    /// Far longer than the directory's time to live: a dead edge's tracks must go by expiry.
    static let consentTimeout = 30
    static let ttlMS = 1_500
    static let edges = ["ea", "eb", "ec"]
    static let participants = ["ea", "ea", "eb", "eb", "ec"]

    static func options(announcing address: String) -> TestCluster.Options {
        var options = CascadeCallTests.options(announcing: address)
        options.name = "cascade-dir-it"
        options.edgeEnvironment["STREAMLY_RTC_RELAY_CONSENT_TIMEOUT"] = String(consentTimeout)
        options.edgeEnvironment["STREAMLY_DIRECTORY_ANNOUNCE_MS"] = "250"
        options.edgeEnvironment["STREAMLY_DIRECTORY_TTL_MS"] = String(ttlMS)
        return options
    }

    @Test("every participant decodes every other; one inbound relayed copy of each remote track per edge; kill -9 one edge: the others drop its tracks on directory expiry",
          .enabled(if: NetworkNamespace.isSupported, "needs root for a network namespace"))
    func threeEdges() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        try await TestCluster.with(Self.options(announcing: namespace.hostAddress), origins: ["oa"], edges: []) { cluster in
            for (index, name) in Self.edges.enumerated() {
                try await cluster.startReady(name) {
                    try cluster.startEdge(name, origins: ["oa"], extra: [
                        "STREAMLY_REGION": "region-\(index)",
                        "STREAMLY_RTC_PORT": String(try freePort()), "STREAMLY_RTC_RELAY_PORT": String(try freePort()),
                    ])
                }
            }
            let rest = cluster.rest("ea")
            var people: [REST.Account] = []
            for name in ["ann", "bob", "cyd", "dan", "eve"] { people.append(try await rest.signup(name)) }
            let channel = try await rest.createChannel(people[0])
            let host = namespace.hostAddress
            let specs = zip(people, Self.participants).map { person, edge in
                "ws://\(host):\(cluster.port(edge))/ws|\(person.token)|\(edge)"
            }
            let killed = try #require(cluster.edges["ec"]).process.pid
            let metrics = Self.edges.map { "http://\(host):\(cluster.operatorPort($0))/metrics" }.joined(separator: ",")
            let (path, arguments) = namespace.command([CallEndToEndTests.python, CascadeCallTests.script, channel, String(killed), metrics] + specs)
            let (status, output) = try await ChildProcess.run(path, arguments)
            let text = String(decoding: output, as: UTF8.self)
            let line = text.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
            let verdict = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            #expect(status == 0 && verdict["ok"] as? Bool == true, "directory cascade call: \(text.suffix(6000))")
            guard let pages = verdict["metrics"] as? [String], pages.count == 3 else { return }
            for (index, page) in pages.enumerated() {
                let edge = Self.edges[index]
                let relay = page.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc_relay") }.joined(separator: "\n")
                let local = Self.participants.filter { $0 == edge }.count
                let remote = Self.participants.count - local
                // Audio + video per participant: each remote track arrives once, whatever the number
                // of local subscribers; each local track leaves once per other edge.
                #expect(Self.value(page, #"streamly_rtc_relay_tracks{direction="in"}"#) == Double(2 * remote), "edge \(edge): \(relay)")
                #expect(Self.value(page, #"streamly_rtc_relay_tracks{direction="out"}"#) == Double(2 * local * 2), "edge \(edge): \(relay)")
                #expect(Self.value(page, "streamly_rtc_relay_links") == 2, "edge \(edge): \(relay)")
            }
            // Both survivors dropped the dead edge's two tracks by directory expiry, not relay consent.
            let after = verdict["metrics_after_all"] as? [String] ?? []
            #expect(after.count == 2)
            for (index, page) in after.enumerated() {
                let edge = Self.edges[index]
                let relay = page.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc_relay") }.joined(separator: "\n")
                let remote = Self.participants.filter { $0 != edge && $0 != "ec" }.count
                #expect(Self.value(page, #"streamly_rtc_relay_tracks{direction="in"}"#) == Double(2 * remote), "edge \(edge): \(relay)")
                #expect(Self.value(page, "streamly_rtc_relay_links") == 1, "edge \(edge): \(relay)")
                #expect((Self.value(page, "streamly_rtc_relay_expired_total") ?? 0) == 0, "edge \(edge): \(relay)")
            }
            if let seconds = verdict["dropped_after_seconds"] as? Double {
                print("directory cascade: the dead edge's participants left after \(seconds) s (directory ttl \(Self.ttlMS) ms, consent \(Self.consentTimeout) s)")
                #expect(seconds < Double(Self.consentTimeout))
            }
        }
    }

    @Test("participants move when their edge drains (media back, target < 5 s) or dies (they rejoin through another edge's route; the others drop the old participant on directory expiry)",
          .enabled(if: NetworkNamespace.isSupported, "needs root for a network namespace"))
    func participantsMove() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let host = namespace.hostAddress
        try await TestCluster.with(Self.options(announcing: host), origins: ["oa"], edges: []) { cluster in
            for (index, name) in Self.edges.enumerated() {
                try await cluster.startReady(name) {
                    let port = try freePort()
                    try cluster.startEdge(name, origins: ["oa"], port: port, extra: [
                        "STREAMLY_REGION": "region-\(index)", "STREAMLY_PUBLIC_URL": "http://\(host):\(port)",
                        "STREAMLY_RTC_PORT": String(try freePort()), "STREAMLY_RTC_RELAY_PORT": String(try freePort()),
                    ])
                }
            }
            let rest = cluster.rest("ea")
            var people: [REST.Account] = []
            for name in ["ann", "bob", "cyd"] { people.append(try await rest.signup(name)) }
            let channel = try await rest.createChannel(people[0])
            // ann on ea stays; bob on eb moves when eb drains (asking ea), cyd on ec when ec dies (asking ea).
            let specs = zip(people, Self.edges).map { person, edge in
                "ws://\(host):\(cluster.port(edge))/ws|\(person.token)|http://\(host):\(cluster.port("ea"))"
            }
            let drained = try #require(cluster.edges["eb"]).process.pid
            let killed = try #require(cluster.edges["ec"]).process.pid
            let (path, arguments) = namespace.command([CallEndToEndTests.python, Self.moveScript, channel, String(drained), String(killed)] + specs)
            let (status, output) = try await ChildProcess.run(path, arguments)
            let text = String(decoding: output, as: UTF8.self)
            let line = text.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
            let verdict = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            #expect(status == 0 && verdict["ok"] as? Bool == true, "participants moving: \(text.suffix(6000))")
            if let drain = verdict["drain"] as? [String: Any], let kill = verdict["kill"] as? [String: Any] {
                // Holes a moved participant's old stream left in the survivor's subscriber slots.
                let metrics = (try? await curl("http://127.0.0.1:\(cluster.operatorPort("ea"))/metrics").text) ?? ""
                let fills = Self.value(metrics, "streamly_rtc_padding_fills_total") ?? 0
                print("edge moves: drain \(drain), kill -9 \(kill); padding fills on the surviving edge: \(Int(fills))")
                // 0.9-1.1 s. 17-30 s in about one loaded run in ten before the new track filled
                // the holes the old one left in its slot (docs/cascade.md, "The drain gap").
                let gap = drain["media_back_after_s"] as? Double ?? .infinity
                #expect(gap < 5, "media back \(gap) s after the drain: \(drain)")
                #expect(drain["edge"] as? String == cluster.nodeID("ea") && kill["edge"] as? String == cluster.nodeID("ea"),
                        "the route sends both to the edge asked: \(drain) \(kill)")
            }
        }
    }

    static var moveScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/cascade_move.py").path
    }

    static func value(_ page: String, _ series: String) -> Double? {
        CascadeCallTests.value(page, series)
    }
}
