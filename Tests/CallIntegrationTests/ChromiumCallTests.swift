import Foundation
import IntegrationSupport
import Testing
import WebRTCTestSupport

/// Stock Chromium in calls through a real edge and origin (issue 12, Tests): headless Chromium
/// (Debian `chromium` + `chromium-driver`, driven by selenium from `Peers/chromium_call.py`, fake
/// camera and microphone) runs in a network namespace, since it skips loopback candidates; the
/// edge announces its end of the veth pair. Each test starts one browser and one cluster; the
/// driver bounds every wait and prints a JSON verdict as its last line.
@Suite("Calls end to end: Chromium through a real edge and origin", .serialized)
struct ChromiumCallTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/chromium_call.py").path
    }

    static var isSupported: Bool {
        NetworkNamespace.isSupported && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    }

    struct Run {
        var verdict: String
        var output: String
        /// The edge's `streamly_rtc_*` metric lines after the run.
        var metrics: String

        var ok: Bool { verdict.contains(#""ok": true"#) }

        /// The value of a counter (summed over its label sets), 0 when absent.
        func counter(_ name: String) -> Double {
            metrics.split(separator: "\n").filter { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        }
    }

    /// A cluster with one edge announcing the namespace's veth address on a fixed media port (the
    /// loss relay forwards to it), two users in a fresh channel, and the driver's scenario.
    static func run(_ scenario: String, edgeEnvironment: [String: String] = [:]) async throws -> Run {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let rtcPort = try freePort()
        var options = CallEndToEndTests.options(announcing: namespace.hostAddress)
        options.name = "chromium-\(scenario)"
        options.edgeEnvironment["STREAMLY_RTC_PORT"] = String(rtcPort)
        options.edgeEnvironment.merge(edgeEnvironment) { $1 }
        var run: Run?
        try await TestCluster.with(options, origins: ["oa"], edges: [("ea", ["oa"])]) { cluster in
            let rest = cluster.rest()
            let port = cluster.port("ea")
            let people = [try await rest.signup("ann"), try await rest.signup("bob")]
            let channel = try await rest.createChannel(people[0])
            let (path, arguments) = namespace.command([
                CallEndToEndTests.python, Self.script, scenario, "ws://\(namespace.hostAddress):\(port)/ws", channel,
                namespace.hostAddress, String(rtcPort),
            ] + people.map(\.token))
            let (_, output) = try await ChildProcess.run(path, arguments)
            let text = String(decoding: output, as: UTF8.self)
            let verdict = text.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
            let metrics = try await curl("http://127.0.0.1:\(cluster.operatorPort("ea"))/metrics", [], maxTime: 10).text
            let rtcMetrics = metrics.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc") }.joined(separator: "\n")
            run = Run(verdict: verdict, output: String(text.suffix(6000)), metrics: rtcMetrics)
            print("chromium \(scenario): \(verdict.prefix(3000))")  // the figures, in the test log
        }
        return try #require(run)
    }

    @Test("Chromium and aiortc in one call: each decodes the other's video (at its size) and audio",
          .enabled(if: isSupported, "needs root (network namespace) and Debian chromium + chromium-driver"),
          .timeLimit(.minutes(5)))
    func chromiumAndAiortc() async throws {
        let run = try await Self.run("interop")
        #expect(run.ok, "\(run.output)\nedge: \(run.metrics)")
        #expect(run.counter("streamly_rtc_forwarded_packets_total") > 0, "\(run.metrics)")
    }

    @Test("Chromium publishes three-layer VP8 simulcast: a subscriber asking low gets the low layer's width, then high the top layer's",
          .enabled(if: isSupported, "needs root (network namespace) and Debian chromium + chromium-driver"),
          .timeLimit(.minutes(5)))
    func simulcastLayers() async throws {
        let run = try await Self.run("simulcast")
        #expect(run.ok, "\(run.output)\nedge: \(run.metrics)")
        // At least low → high (the driver checked both widths). The first choice counts only when
        // the subscriber was already receiving: it may ask for low before its answer is applied,
        // and nothing is forwarded before that, so low is then a first choice, not a switch.
        #expect(run.counter("streamly_rtc_layer_switches_total") >= 1, "\(run.metrics)")
        #expect(run.counter("streamly_rtc_keyframe_requests_total") > 0, "\(run.metrics)")
        // Transport-wide congestion control both ways: feedback to the publisher (its estimate
        // grew past 1 Mbit/s: checked by the driver) and from the subscriber.
        #expect(run.metrics.contains(#"streamly_rtc_transport_feedback_total{direction="sent"}"#), "\(run.metrics)")
        #expect(run.metrics.contains(#"streamly_rtc_transport_feedback_total{direction="received"}"#), "\(run.metrics)")
    }

    @Test("ICE over TCP: an edge announcing only its passive TCP candidates (RFC 6544): Chromium publishes and subscribes over TCP and decodes",
          .enabled(if: isSupported, "needs root (network namespace) and Debian chromium + chromium-driver"),
          .timeLimit(.minutes(5)))
    func iceOverTCP() async throws {
        let run = try await Self.run("tcp", edgeEnvironment: ["STREAMLY_RTC_TCP_PORT": String(try freePort()),
                                                              "STREAMLY_RTC_UDP_CANDIDATES": "false"])
        #expect(run.ok, "\(run.output)\nedge: \(run.metrics)")
        #expect(run.counter("streamly_rtc_forwarded_packets_total") > 0, "\(run.metrics)")
    }

    @Test("Chromium offering video only in codecs the SFU does not forward (VP9, AV1): the answer rejects that m-section, audio flows",
          .enabled(if: isSupported, "needs root (network namespace) and Debian chromium + chromium-driver"),
          .timeLimit(.minutes(5)))
    func unsupportedCodecsAreRejected() async throws {
        let run = try await Self.run("codecs")
        #expect(run.ok, "\(run.output)\nedge: \(run.metrics)")
    }

    @Test("5% loss between the edge and a Chromium subscriber: video keeps decoding, NACKs are answered",
          .enabled(if: isSupported, "needs root (network namespace) and Debian chromium + chromium-driver"),
          .timeLimit(.minutes(5)))
    func decodingUnderLoss() async throws {
        let run = try await Self.run("loss")
        #expect(run.ok, "\(run.output)\nedge: \(run.metrics)")
        #expect(run.counter("streamly_rtc_retransmissions_total") > 0, "\(run.metrics)")
    }
}
