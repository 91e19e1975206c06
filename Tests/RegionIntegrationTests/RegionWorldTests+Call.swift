import Foundation
import IntegrationSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One call across the regions world (issue 14, Cascade): two aiortc participants in each
/// region's client host, each on its region's edge; the edges find each other through the edge
/// directory and relay each track once to each other edge. Part of `RegionWorldTests` (one
/// world per machine: its tests run one at a time).
extension RegionWorldTests {
    static var callScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/world_call.py").path
    }
    static var python: String {
        if let venv = ProcessInfo.processInfo.environment["STREAMLY_VENV"] { return venv + "/bin/python" }
        return world.deletingLastPathComponent().appendingPathComponent("venv/bin/python").path
    }
    /// The one-way delays between the regions (infra/regions.sh's defaults), in ms.
    static let delays: [Set<String>: Double] = [["eu", "us"]: 40, ["eu", "ap"]: 70, ["us", "ap"]: 110]

    /// curl inside namespace `host` with `arguments`; the body, failing on a status other than 200/201.
    static func request(in host: String, _ arguments: [String]) async throws -> Data {
        for attempt in 0..<20 {
            let (status, output) = try await ChildProcess.run("/usr/sbin/ip", [
                "netns", "exec", host, "/usr/bin/curl", "-s", "--max-time", "10", "-w", "\n%{http_code}",
            ] + arguments)
            let text = String(decoding: output, as: UTF8.self)
            let code = text.split(separator: "\n").last.map(String.init) ?? ""
            if status == 0, code == "200" || code == "201" {
                return Data(text[..<text.index(text.endIndex, offsetBy: -(code.count + 1))].utf8)
            }
            // 503 while the origins settle; anything else is an answer.
            guard code == "503" || code == "000", attempt < 19 else { throw TestFailure("curl \(arguments) in \(host): \(text)") }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw TestFailure("unreachable")
    }

    /// A new user's access token. When curl gave up on a signup the edge then completed (a slow
    /// answer under load), `request`'s retry is refused as a conflict: the user exists, so log in.
    static func token(in host: String, api: String, username: String) async throws -> String {
        struct Session: Decodable { var access_token: String }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["username": username, "password": "correct-horse-battery"]),
                          as: UTF8.self)
        let arguments = ["-X", "POST", "-H", "content-type: application/json", "--data-binary", body]
        do {
            return try JSONDecoder().decode(Session.self, from: try await request(in: host, arguments + ["\(api)/auth/signup"])).access_token
        } catch let failure as TestFailure where failure.description.contains(#""code":"conflict""#) {
            return try JSONDecoder().decode(Session.self, from: try await request(in: host, arguments + ["\(api)/auth/login"])).access_token
        }
    }

    static func metrics(_ region: String) async throws -> String {
        String(decoding: try await request(in: "slr-\(region)-edge", ["http://127.0.0.1:9090/metrics"]), as: UTF8.self)
    }

    @Test("a call across the three regions: everyone decodes everyone; one inbound relayed copy of each remote track per edge; latency ≈ link delay; kill -9 one edge: the others drop its tracks",
          .enabled(if: RegionWorldTests.isSupported, "needs root for network namespaces"))
    func callAcrossRegions() async throws {
        try await RegionWorldTests.withWorld {
            let client = "slr-eu-c1", api = "http://10.77.1.1:8080/api/v1"
            // Each participant signs up from its own region's client host, through its edge (the
            // edges allow 5 signups a minute per client address).
            var tokens: [String] = []
            for index in 0..<6 {
                let region = Self.regions[index / 2]
                tokens.append(try await Self.token(in: "slr-\(region.name)-c1", api: "http://10.77.\(region.index).1:8080/api/v1",
                                                   username: "w\(index)\(UUID().uuidString.prefix(8).lowercased())"))
            }
            struct Channel: Decodable { var id: String }
            let channel = try JSONDecoder().decode(Channel.self, from: try await Self.request(in: client, [
                "-X", "POST", "-H", "content-type: application/json", "-H", "authorization: Bearer \(tokens[0])",
                "--data-binary", #"{"name": "world-call", "private": false}"#, "\(api)/channels",
            ])).id
            let shared = FileManager.default.temporaryDirectory.appendingPathComponent("world-call-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: shared) }

            // One process per region, in the region's first client host.
            let killed = "ap"
            let processes = Self.regions.map { region in
                let specs = [2 * (region.index - 1), 2 * (region.index - 1) + 1].map { "\($0)|\(tokens[$0])" }
                return Task { try await ChildProcess.run("/usr/sbin/ip", [
                    "netns", "exec", "slr-\(region.name)-c1", Self.python, Self.callScript, shared.path, region.name,
                    "ws://10.77.\(region.index).1:8080/ws", channel, "6",
                ] + specs) }
            }
            func file(_ name: String) -> URL { shared.appendingPathComponent(name) }
            func failures() -> String {
                Self.regions.compactMap { try? String(contentsOf: file("error-\($0.name).txt"), encoding: .utf8) }.joined(separator: "; ")
            }
            /// Waits until each of `regions` has written `<stage>-REGION.json`, a process failed, or `timeout` passed.
            func waitFor(_ stage: String, from regions: [String], within timeout: Duration) async throws {
                let deadline = ContinuousClock.now + timeout
                while !regions.allSatisfy({ FileManager.default.fileExists(atPath: file("\(stage)-\($0).json").path) }),
                      failures().isEmpty, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            // Everyone decodes everyone (each process writes ready-REGION.json), or a process fails.
            try await waitFor("ready", from: Self.regions.map(\.name), within: .seconds(240))
            let ready = Self.regions.compactMap { try? Data(contentsOf: file("ready-\($0.name).json")) }
            for data in ready { print("regions call: ready " + String(decoding: data, as: UTF8.self)) }
            guard ready.count == 3 else {
                for region in Self.regions {  // what each edge saw of losses, NACKs and relays
                    let page = (try? await Self.metrics(region.name)) ?? ""
                    let names = ["relay", "nacks", "retransmissions", "keyframe", "dropped", "srtp_failures"]
                    let lines = page.split(separator: "\n").filter { line in
                        line.hasPrefix("streamly_rtc_") && names.contains { line.contains($0) }
                    }
                    print("regions call: \(region.name) edge: " + lines.joined(separator: ", "))
                }
                try? Data(killed.utf8).write(to: file("kill"))
                try? Data().write(to: file("finish"))
                for process in processes { _ = try? await process.value }
                throw TestFailure("not every region decoded everyone: \(failures())")
            }
            // One inbound relayed copy of each remote track per edge: 4 remote participants × 2 tracks,
            // though both local participants subscribe to each; each local track leaves once per other edge.
            for region in Self.regions {
                let page = try await Self.metrics(region.name)
                let relay = page.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc_relay") }.joined(separator: "\n")
                #expect(CascadeValue.of(page, #"streamly_rtc_relay_tracks{direction="in"}"#) == 8, "\(region.name): \(relay)")
                #expect(CascadeValue.of(page, #"streamly_rtc_relay_tracks{direction="out"}"#) == 8, "\(region.name): \(relay)")
                #expect(CascadeValue.of(page, "streamly_rtc_relay_links") == 2, "\(region.name): \(relay)")
            }
            // Latency: publisher → receiver across regions minus the same receiver's latency from its
            // own region's other participant (the clients' own encode cancels out) ≈ the link delay.
            // Media latency is from the frame's stamp (its capture) to the arrival of its first
            // packet at the receiver, for frames that then decoded with that stamp: aiortc's jitter
            // buffer holds each frame until the next one's first packet arrives (a frame interval,
            // 100 ms at 10 fps, ±20 ms with the publishers' encode times) and hands out one frame
            // per packet, so a frame that waited for a retransmission leaves a standing backlog:
            // decode times are the client's, printed but not asserted. Each figure is the least over
            // the recorded frames: the path's own latency, without the queueing of the Python peers.
            struct Ready: Decodable { var latency_ms: [String: Double]; var network_ms: [String: Double] }
            var latency: [String: Double] = [:], decoded: [String: Double] = [:]
            for data in ready {
                let figures = try JSONDecoder().decode(Ready.self, from: data)
                latency.merge(figures.network_ms) { a, _ in a }
                decoded.merge(figures.latency_ms) { a, _ in a }
            }
            func region(of index: Int) -> String { Self.regions[index / 2].name }
            var report: [String] = []
            for receiver in 0..<6 {
                guard let local = latency["\(receiver ^ 1)->\(receiver)"] else { continue }
                for publisher in 0..<6 where region(of: publisher) != region(of: receiver) {
                    let pair = "\(publisher)->\(receiver)"
                    guard let remote = latency[pair], let delay = Self.delays[[region(of: publisher), region(of: receiver)]]
                    else { continue }
                    report.append("\(region(of: publisher))→\(region(of: receiver)) \(Int(remote)) ms (local \(Int(local)), link \(Int(delay)); decoded after \(decoded[pair].map { "\(Int($0))" } ?? "?") ms)")
                    #expect(remote - local < delay + 20, "\(pair): \(remote) ms vs local \(local) ms, link \(delay) ms")
                    #expect(remote - local > delay * 0.8 - 5, "\(pair): \(remote) ms vs local \(local) ms, link \(delay) ms")
                }
            }
            #expect(report.count == 24, "latencies measured: \(latency)")
            print("regions call: media latency " + report.joined(separator: ", "))

            // kill -9 one edge: the others drop its participants (directory expiry). The edge dies
            // before the peers hear of it: the killed region's peer process exits when it reads the
            // kill file, and its participants must not leave cleanly before their edge is gone.
            let pidText = try String(contentsOf: Self.world.appendingPathComponent("edge-\(killed).pid"), encoding: .utf8)
            let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(kill(pid, SIGKILL) == 0)
            try Data(killed.utf8).write(to: file("kill"))
            // The survivors' edges are read while their participants are still in the call (each
            // process stays until the finish file; leaving would end the calls and their links).
            let survivors = Self.regions.filter { $0.name != killed }
            try await waitFor("done", from: survivors.map(\.name), within: .seconds(150))
            for region in survivors {
                let done = try? JSONSerialization.jsonObject(with: Data(contentsOf: file("done-\(region.name).json"))) as? [String: Any]
                #expect(done != nil, "\(region.name): \(failures())")
                if let seconds = done?["dropped_after_seconds"] as? Double {
                    print("regions call: \(region.name) dropped the dead edge's participants after \(seconds) s")
                    // By directory expiry (directory.ttl.ms 3 s), long before relay consent (30 s).
                    #expect(seconds < 30)
                }
                let page = try await Self.metrics(region.name)
                let relay = page.split(separator: "\n").filter { $0.hasPrefix("streamly_rtc_relay") }.joined(separator: "\n")
                #expect(CascadeValue.of(page, #"streamly_rtc_relay_tracks{direction="in"}"#) == 4, "\(region.name): \(relay)")
                #expect(CascadeValue.of(page, "streamly_rtc_relay_links") == 1, "\(region.name): \(relay)")
                #expect((CascadeValue.of(page, "streamly_rtc_relay_expired_total") ?? 0) == 0, "\(region.name): \(relay)")
            }
            try Data().write(to: file("finish"))
            var statuses: [Int32] = []
            for process in processes { statuses.append(try await process.value.status) }
            #expect(statuses == [0, 0, 0], "\(failures())")
        }
    }
}

/// A metric's value in a Prometheus text page.
enum CascadeValue {
    static func of(_ page: String, _ series: String) -> Double? {
        page.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
    }
}
