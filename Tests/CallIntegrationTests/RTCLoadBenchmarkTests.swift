import Foundation
import IntegrationSupport
import Testing

/// The pieces of `streamly-load rtc` (issue 12, Benchmark) against a real edge and origin: a
/// short run of two publishers and one subscriber in one call, over loopback (the load tool's
/// peers accept loopback candidates, so no namespace). Asserts that media was forwarded to
/// every receiver and that loss is computed from what was sent; no speed is asserted.
@Suite("streamly-load rtc against a real edge", .serialized)
struct RTCLoadBenchmarkTests {
    @Test("a short rtc load run forwards every publisher's audio and video to every receiver and computes loss")
    func shortRun() async throws {
        var options = TestCluster.Options(name: "rtc-load", clusterSecret: "rtc-load-tests-cluster-secret-0123456789abcdef")
        options.edgeEnvironment = ["STREAMLY_RTC_ANNOUNCED_IPS": "127.0.0.1"]
        try await TestCluster.with(options, origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            let edge = try #require(cluster.edges["ea"])
            let binary = ChildProcess.binDirectory.appendingPathComponent("streamly-load").path
            let (status, output) = try await ChildProcess.run(binary, [
                "rtc", "--edge", "http://127.0.0.1:\(edge.port)", "--edge-pid", String(edge.process.pid),
                "--edge-operator", "127.0.0.1:\(edge.operatorPort)",
                "--calls", "1", "--publishers", "2", "--subscribers", "1", "--seconds", "3", "--warmup", "3",
                "--threads", "1", "--json",
            ])
            let text = String(decoding: output, as: UTF8.self)
            #expect(status == 0, "\(text.suffix(3000))")
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("{") && $0.contains(#""server":"streamly""#) },
                                    "no JSON result in: \(text.suffix(3000))")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let expected = try #require(result["expected_packets"] as? Int)
            let received = try #require(result["received_packets"] as? Int)
            let loss = try #require(result["loss_percent"] as? Double)
            // 3 receivers (each publisher gets the other, the subscriber gets both) × audio + video.
            #expect(received > 0 && expected > 0, "\(result)")
            #expect(result["missing_video"] as? Int == 0 && result["missing_audio"] as? Int == 0, "\(result)")
            #expect(abs(loss - max(0, Double(expected - received)) / Double(expected) * 100) < 1e-6, "\(result)")
            #expect((result["forwarded_per_second"] as? Double ?? 0) > 0, "\(result)")
            #expect((result["server_cpu_cores"] as? Double ?? -1) >= 0, "edge CPU read from /proc: \(result)")
            // The edge's own forwarding time, from its histogram read before and after the window.
            let p50 = result["server_forwarding_p50_us"] as? Double ?? -1, p99 = result["server_forwarding_p99_us"] as? Double ?? -1
            #expect(p50 > 0 && p99 >= p50 && (result["server_forwarding_mean_us"] as? Double ?? -1) > 0, "\(result)")
        }
    }

    /// Issue 14's benchmark in small: the same call load on two edges linked by the directory,
    /// first each call on one edge, then each call's participants spread over both (cascade).
    @Test("rtc load across two edges: without cascade nothing is relayed; with it every track crosses once per remote edge and everyone receives")
    func cascadeRun() async throws {
        var options = CascadeCallTests.options(announcing: "127.0.0.1")
        options.name = "rtc-load-cascade"
        options.edgeEnvironment["STREAMLY_DIRECTORY_ANNOUNCE_MS"] = "250"
        try await TestCluster.with(options, origins: ["oa"], edges: []) { cluster in
            for (index, name) in ["ea", "eb"].enumerated() {
                try await cluster.startReady(name) {
                    try cluster.startEdge(name, origins: ["oa"], extra: [
                        "STREAMLY_REGION": "region-\(index)",
                        "STREAMLY_RTC_PORT": String(try freePort()), "STREAMLY_RTC_RELAY_PORT": String(try freePort()),
                    ])
                }
            }
            var arguments = ["rtc", "--cascade", "both", "--calls", "2", "--publishers", "2", "--subscribers", "1",
                             "--seconds", "3", "--warmup", "3", "--threads", "1", "--json"]
            for name in ["ea", "eb"] {
                let edge = try #require(cluster.edges[name])
                arguments += ["--edge", "http://127.0.0.1:\(edge.port)", "--edge-pid", String(edge.process.pid),
                              "--edge-operator", "127.0.0.1:\(edge.operatorPort)"]
            }
            let binary = ChildProcess.binDirectory.appendingPathComponent("streamly-load").path
            let (status, output) = try await ChildProcess.run(binary, arguments)
            let text = String(decoding: output, as: UTF8.self)
            #expect(status == 0, "\(text.suffix(4000))")
            let results = try text.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            print(text.split(separator: "\n").filter { !$0.hasPrefix("{") }.joined(separator: "\n"))
            #expect(text.contains("Without vs with cascade"), "\(text.suffix(4000))")
            try #require(results.count == 2, "two results (no cascade, cascade) in: \(text.suffix(4000))")
            for result in results {
                let cascade = result["cascade"] as? Bool == true
                #expect(result["missing_video"] as? Int == 0 && result["missing_audio"] as? Int == 0, "\(result)")
                let sites = try #require(result["sites"] as? [[String: Any]])
                try #require(sites.count == 2, "\(result)")
                for site in sites {
                    // 2 calls × 3 participants over 2 edges: 3 per edge either way.
                    #expect(site["participants"] as? Int == 3, "\(site)")
                    #expect((site["join_ms"] as? [Double] ?? []).count == 3 && (site["cpu_cores"] as? Double ?? -1) >= 0, "\(site)")
                    let sent = site["relay_out_packets_per_second"] as? Double ?? -1
                    let needed = site["relay_expected_packets_per_second"] as? Double ?? -1
                    if cascade {
                        // Each edge hosts one publisher of each call, and the other edge has a
                        // receiver of it: one copy of its audio and top layer crosses, not more
                        // (a copy per subscriber or every layer would be ≥ 1.5×).
                        #expect(needed > 0 && sent > 0.8 * needed && sent < 1.3 * needed, "\(site)")
                        #expect(site["relay_links"] as? Double ?? 0 >= 1, "\(site)")
                    } else {
                        #expect(needed == 0 && sent < 1, "\(site)")
                    }
                }
            }
        }
    }
}
