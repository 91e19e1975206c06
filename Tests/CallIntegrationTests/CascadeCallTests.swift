import Foundation
import IntegrationSupport
import Testing
import WebRTCTestSupport

/// One call across two edges (issue 14, Cascade): two real `streamly-edge` processes and one
/// origin, aiortc participants on each edge in one call. The edges know each other through
/// `rtc.relay.peers` (the static stand-in for the edge directory).
@Suite("Cascade: one call across two edges over the relay", .serialized)
struct CascadeCallTests {
    static let consentTimeout = 3

    static func options(announcing address: String) -> TestCluster.Options {
        var options = TestCluster.Options(name: "cascade-it", clusterSecret: "cascade-integration-tests-cluster-secret-0123456789")
        options.edgeEnvironment = [
            "STREAMLY_HTTP_HOST": "0.0.0.0", "STREAMLY_RTC_ANNOUNCED_IPS": address,
            // The peers read both edges' metrics from the namespace.
            "STREAMLY_OPERATOR_HOST": "0.0.0.0",
            "STREAMLY_RTC_RELAY_ENABLED": "true", "STREAMLY_RTC_RELAY_HOST": "127.0.0.1",
            "STREAMLY_RTC_RELAY_CONSENT_TIMEOUT": String(consentTimeout),
            // The edges also announce to the directory, whose expiry unlinks a dead edge: here its
            // entries outlive relay consent, so the kill is seen by consent (DirectoryCascadeTests
            // covers expiry, and sets its own time to live).
            "STREAMLY_DIRECTORY_TTL_MS": "30000",
        ]
        return options
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/cascade_call.py").path
    }

    /// The value of a metric line `name{labels} value` in a Prometheus text page.
    static func value(_ page: String, _ series: String) -> Double? {
        page.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }

    @Test("two aiortc participants per edge decode everyone; each edge receives one relayed copy of each remote track; kill -9 one edge: the other drops its tracks",
          .enabled(if: NetworkNamespace.isSupported, "needs root for a network namespace"))
    func twoEdges() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        try await TestCluster.with(Self.options(announcing: namespace.hostAddress), origins: ["oa"], edges: []) { cluster in
            // Both edges start again on fresh ports if one lost a port: each names the other's.
            try await cluster.startReady(["ea", "eb"]) {
                let relayPorts = [try freePort(), try freePort()]
                let rtcPorts = [try freePort(), try freePort()]
                for (index, name) in ["ea", "eb"].enumerated() {
                    try cluster.startEdge(name, origins: ["oa"], extra: [
                        "STREAMLY_RTC_PORT": String(rtcPorts[index]), "STREAMLY_RTC_RELAY_PORT": String(relayPorts[index]),
                        // The seam the edge directory replaces: each edge is told where the other's relay is.
                        "STREAMLY_RTC_RELAY_PEERS": "127.0.0.1:\(relayPorts[1 - index])",
                    ])
                }
            }
            let rest = cluster.rest("ea")
            let people = [try await rest.signup("ann"), try await rest.signup("bob"), try await rest.signup("cyd"),
                          try await rest.signup("dan")]
            let channel = try await rest.createChannel(people[0])
            let host = namespace.hostAddress
            let edges = ["ea", "ea", "eb", "eb"]
            let specs = zip(people, edges).map { person, edge in "ws://\(host):\(cluster.port(edge))/ws|\(person.token)|\(edge)" }
            let killed = try #require(cluster.edges["eb"]).process.pid
            let (path, arguments) = namespace.command([
                CallEndToEndTests.python, Self.script, channel, String(killed),
                "http://\(host):\(cluster.operatorPort("ea"))/metrics,http://\(host):\(cluster.operatorPort("eb"))/metrics",
            ] + specs)
            let (status, output) = try await ChildProcess.run(path, arguments)
            let text = String(decoding: output, as: UTF8.self)
            let line = text.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
            let verdict = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            #expect(status == 0 && verdict["ok"] as? Bool == true, "cascade call: \(text.suffix(6000))")
            guard let pages = verdict["metrics"] as? [String], pages.count == 2 else { return }
            for (index, page) in pages.enumerated() {
                let relay = page.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc_relay") }.joined(separator: "\n")
                // Two remote participants × (audio + video): exactly one inbound copy each, though two
                // local participants subscribe to each; and each local track goes out once.
                #expect(Self.value(page, #"streamly_rtc_relay_tracks{direction="in"}"#) == 4, "edge \(index): \(relay)")
                #expect(Self.value(page, #"streamly_rtc_relay_tracks{direction="out"}"#) == 4, "edge \(index): \(relay)")
                #expect(Self.value(page, "streamly_rtc_relay_links") == 1, "edge \(index): \(relay)")
                #expect((Self.value(page, #"streamly_rtc_relay_packets_total{direction="in"}"#) ?? 0) > 100, "edge \(index): \(relay)")
            }
            // The survivor dropped the dead edge's tracks.
            let after = verdict["metrics_after"] as? String ?? ""
            #expect(Self.value(after, #"streamly_rtc_relay_tracks{direction="in"}"#) == 0, "\(after.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc_relay") })")
            #expect((Self.value(after, "streamly_rtc_relay_expired_total") ?? 0) >= 1)
            if let seconds = verdict["dropped_after_seconds"] as? Double {
                print("cascade: the dead edge's participants left the survivor's call after \(seconds) s (consent timeout \(Self.consentTimeout) s)")
            }
        }
    }
}
