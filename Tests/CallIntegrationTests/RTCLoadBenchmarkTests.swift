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
}
