import Foundation
import IntegrationSupport
import Synchronization
import Testing

/// Connection attacks on a real edge and origin (issue 11, item 4): a slowloris client and a
/// connection flood, each while a well-behaved client on 127.0.0.1 keeps chatting over its
/// WebSocket and streaming HLS over a kept-alive connection. The attackers connect from other
/// loopback addresses (127.0.0.2 …), counts are bounded, and only relative bounds on the good
/// client's latency are asserted.
@Suite(.serialized) struct ListenerAttackTests {
    /// What the good client may lose to an attack: its p99 at most this many times the p99
    /// measured without the attack, with a floor for quick baselines: the attack's own
    /// connections share the 2 cores (seen: 31 ms without, 460 ms during a flood of 200).
    /// Without the limits the good client's requests fail or stall, which the other
    /// expectations catch.
    static let latencyFactor = 20.0
    static let latencyFloor = Duration.seconds(1)
    /// A slow reader may cost the edge at most 1/`memoryShare` of the answer it asked for.
    static let memoryShare = 16

    static func expectGoodClientUnharmed(_ good: GoodClient, phase: String) {
        let baseline = good.samples("baseline"), during = good.samples(phase)
        #expect(during.failures.isEmpty, "the good client failed during the \(phase): \(during.failures.prefix(5))")
        #expect(during.latencies.count >= 4, "the good client hardly ran during the \(phase)")
        let bound = max(baseline.p99 * latencyFactor, latencyFloor)
        print("[attack] \(phase): good client p99 \(during.p99) (\(during.latencies.count) operations) vs \(baseline.p99) without")
        #expect(during.p99 <= bound, "good client p99 \(during.p99) during the \(phase) vs \(baseline.p99) without")
    }

    @Test("slowloris: partial request heads and silent TLS connections are closed at their deadlines; the good client keeps working")
    func slowloris() async throws {
        let options = TestCluster.Options.attack("slowloris", edge: [
            "STREAMLY_HTTP_HEADER_TIMEOUT": "3", "STREAMLY_HTTPS_HANDSHAKE_TIMEOUT": "2", "STREAMLY_CONNECTIONS_PER_IP": "64",
        ])
        try await TestCluster.with(options, origins: ["sl-o1"], edges: [("sl-e1", ["sl-o1"])]) { cluster in
            let edge = cluster.edges["sl-e1"]!
            let good = try await GoodClient.start(port: edge.port, hls: try await HLSTree.make(in: cluster))
            try await good.run(phase: "baseline", rounds: 8)

            let stop = StopFlag()
            async let goodRun: Void = good.run(phase: "slowloris", until: stop)
            // 80 connections that never finish their request head (64 get in: the per-address
            // cap), dripping a header line every 500 ms; 20 that never start TLS.
            let dripping = await [AttackConnection].open(80, from: "127.0.0.2", to: edge.port)
            let silentTLS = await [AttackConnection].open(20, from: "127.0.0.3", to: edge.httpsPort!)
            for connection in dripping { await connection.send("GET /healthz HTTP/1.1\r\nHost: edge\r\n") }
            let allClosed = await eventually(.seconds(45)) {
                for connection in dripping where !connection.isClosed { await connection.send("X-Slow: 1\r\n") }
                try? await Task.sleep(for: .milliseconds(400))
                return (dripping + silentTLS).allSatisfy(\.isClosed)
            }
            stop.set()
            await goodRun
            let open = (dripping + silentTLS).filter { !$0.isClosed }.count
            (dripping + silentTLS).closeAll()

            #expect(dripping.count + silentTLS.count >= 90, "the attack could not connect")
            #expect(allClosed, "\(open) attack connections still open after 45 s")
            let refused = try await metric("streamly_connections_refused_total", port: edge.operatorPort,
                                           ["listener=\"http\"", "reason=\"per-address\""])
            let headerTimeouts = try await metric("streamly_connections_timed_out_total", port: edge.operatorPort,
                                                  ["listener=\"http\"", "phase=\"request-header\""])
            let handshakeTimeouts = try await metric("streamly_connections_timed_out_total", port: edge.operatorPort,
                                                     ["listener=\"https\"", "phase=\"tls-handshake\""])
            print("[attack] slowloris: \(refused) refused per address, \(headerTimeouts) header timeouts, \(handshakeTimeouts) TLS handshake timeouts")
            #expect(refused >= Double(dripping.count - 64))
            #expect(headerTimeouts >= Double(min(dripping.count, 64)) - 1)
            #expect(handshakeTimeouts >= Double(silentTLS.count))
            // The admitted ones lived until their deadline (3 s), not longer than a few seconds more.
            let lifetimes = dripping.compactMap(\.lifetime).sorted()
            #expect((lifetimes.last ?? .zero) < .seconds(30), "a slowloris connection lived \(lifetimes.last ?? .zero)")

            Self.expectGoodClientUnharmed(good, phase: "slowloris")
            #expect(cluster.edges["sl-e1"]!.process.isRunning && cluster.origins["sl-o1"]!.process.isRunning)
            await good.stop()
        }
    }

    @Test("slow read: clients that request large HLS segments and never read are disconnected; the good client keeps streaming")
    func slowRead() async throws {
        let options = TestCluster.Options.attack("slowread", edge: [
            "STREAMLY_HTTP_WRITE_TIMEOUT": "6", "STREAMLY_CONNECTIONS_PER_IP": "64",
        ])
        try await TestCluster.with(options, origins: ["sr-o1"], edges: [("sr-e1", ["sr-o1"])]) { cluster in
            let edge = cluster.edges["sr-e1"]!
            let segmentBytes = 16 << 20
            let hls = try await HLSTree.make(in: cluster, largeSegmentBytes: segmentBytes)
            let largePath = try #require(hls.largeSegment)
            let large = "/vod/\(hls.videoID)/\(largePath)?token=\(hls.token)"
            let good = try await GoodClient.start(port: edge.port, hls: hls)
            // The large segment once, in full: the edge caches it, so what the attack adds to
            // its memory is what it holds per connection.
            let whole = try await curl("http://127.0.0.1:\(edge.port)\(large)", maxTime: 60)
            #expect(whole.status == 200 && whole.body.count == segmentBytes)
            try await good.run(phase: "baseline", rounds: 8)
            let baselineRSS = try #require(Self.residentBytes(of: edge.process.pid))

            // 24 readers over TLS (HTTP/1.1: the edge encrypts what it writes, a copy per
            // connection, `PacedWriteHandler` bounds it) and 8 over plain HTTP (what they hold
            // are slices of the cached segment), each asking for the large segment 4 times.
            let request = "GET \(large) HTTP/1.1\r\nHost: edge\r\n\r\n"
            let requests = Array(repeating: request, count: 4)
            var readers: [SlowReader] = []
            for _ in 0..<24 {
                if let reader = await SlowReader.open(from: "127.0.0.2", to: edge.httpsPort!, tls: true, requests: requests) {
                    readers.append(reader)
                }
            }
            // 4 over HTTP/2 (TLS), each asking 64 times on one connection.
            var http2Readers: [HTTP2SlowReader] = []
            for index in 0..<4 {
                let log = cluster.directory.appendingPathComponent("nghttp-\(index).log")
                if let reader = try await HTTP2SlowReader.open(url: "https://127.0.0.1:\(edge.httpsPort!)\(large)",
                                                               streams: 64, log: log) {
                    http2Readers.append(reader)
                }
            }
            let tlsCount = readers.count + http2Readers.count
            for _ in 0..<8 {
                if let reader = await SlowReader.open(from: "127.0.0.3", to: edge.port, tls: false, requests: requests) {
                    readers.append(reader)
                }
            }
            let stop = StopFlag()
            async let goodRun: Void = good.run(phase: "slow read", until: stop)
            // While they are connected: the edge's peak resident memory, sampled.
            var peakRSS = baselineRSS
            let metrics = edge.operatorPort
            let allTimedOut = try await eventually(.seconds(90)) {
                peakRSS = max(peakRSS, Self.residentBytes(of: edge.process.pid) ?? 0)
                return try await metric("streamly_connections_timed_out_total", port: metrics, ["phase=\"write\""])
                    >= Double(readers.count + http2Readers.count)
            }
            stop.set()
            await goodRun
            let httpsTimeouts = try await metric("streamly_connections_timed_out_total", port: metrics,
                                                 ["listener=\"https\"", "phase=\"write\""])
            let httpTimeouts = try await metric("streamly_connections_timed_out_total", port: metrics,
                                                ["listener=\"http\"", "phase=\"write\""])
            var endings: [(closed: Bool, bytes: Int)] = []
            for reader in readers { endings.append(await reader.drain(timeout: .seconds(30))) }
            readers.closeAll()
            var http2Ended: [Bool] = []
            for reader in http2Readers { http2Ended.append(await reader.resume(timeout: .seconds(30))) }
            for reader in http2Readers { await reader.kill() }

            let asked = (4 * readers.count + 64 * http2Readers.count) * segmentBytes
            let grown = peakRSS - baselineRSS
            print("[attack] slow read: \(readers.count + http2Readers.count) readers (\(tlsCount) TLS, "
                  + "\(http2Readers.count) of them HTTP/2), edge RSS \(baselineRSS >> 20) MiB before, "
                  + "peak \(peakRSS >> 20) MiB during (+\(grown >> 20) MiB for \(asked >> 20) MiB asked, "
                  + "\((grown / max(tlsCount, 1)) >> 10) KiB per TLS reader); write timeouts: "
                  + "\(httpsTimeouts) https, \(httpTimeouts) http; answers received before the close: "
                  + "\(endings.map { $0.bytes >> 10 }.sorted()) KiB")
            #expect(tlsCount - http2Readers.count >= 20 && readers.count >= 28 && http2Readers.count >= 3, "the attack could not connect")
            #expect(allTimedOut, "not every slow reader was closed for not reading")
            #expect(httpsTimeouts >= Double(tlsCount) && httpTimeouts >= Double(readers.count + http2Readers.count - tlsCount))
            #expect(http2Ended.allSatisfy { $0 }, "HTTP/2 slow readers still connected: \(http2Ended)")
            // Disconnected: each saw the end of its connection, short of the 4 answers it asked for.
            #expect(endings.allSatisfy { $0.closed }, "\(endings.filter { !$0.closed }.count) slow readers still connected")
            #expect(endings.allSatisfy { $0.bytes < 4 * segmentBytes })
            // While they are connected, a slow reader costs the edge what a connection costs plus
            // at most about the write-buffer watermark and one piece of ciphertext
            // (`PacedWriteHandler`), a small share of the answers it asked for (the segments
            // themselves are the cache's, shared). Before, over TLS, each held the encrypted
            // copy of its answer and the buffer that grew to make it: ~50 MiB, 3 segments.
            // All of the growth is counted against the TLS readers (plain ones cost next to nothing).
            #expect(grown / max(tlsCount, 1) < segmentBytes / Self.memoryShare,
                    "edge RSS grew \(grown >> 10) KiB for \(tlsCount) TLS slow readers (\(readers.count) in all)")

            Self.expectGoodClientUnharmed(good, phase: "slow read")
            #expect(cluster.edges["sr-e1"]!.process.isRunning && cluster.origins["sr-o1"]!.process.isRunning)
            await good.stop()
        }
    }

    /// The resident set size of process `pid` (`VmRSS` in /proc), nil when unreadable.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kib << 10
    }

    @Test("connection flood: over the per-address and total caps new connections are closed at once; open ones keep working")
    func connectionFlood() async throws {
        let options = TestCluster.Options.attack("flood", edge: [
            "STREAMLY_CONNECTIONS_PER_IP": "40", "STREAMLY_CONNECTIONS_MAX": "120", "STREAMLY_HTTP_HEADER_TIMEOUT": "120",
        ], origin: ["STREAMLY_LINK_CONNECTIONS_PER_IP": "8"])
        try await TestCluster.with(options, origins: ["fl-o1"], edges: [("fl-e1", ["fl-o1"])]) { cluster in
            let edge = cluster.edges["fl-e1"]!
            let good = try await GoodClient.start(port: edge.port, hls: try await HLSTree.make(in: cluster))
            try await good.run(phase: "baseline", rounds: 8)

            // 60 from one address (40 get in), then 40 from each of three more (the total cap
            // stops them), 20 on the TLS port, and 20 on the origin's link port (8 get in).
            var flood = await [AttackConnection].open(60, from: "127.0.0.2", to: edge.port)
            for source in ["127.0.0.3", "127.0.0.4", "127.0.0.5"] {
                flood += await [AttackConnection].open(40, from: source, to: edge.port)
            }
            flood += await [AttackConnection].open(20, from: "127.0.0.6", to: edge.httpsPort!)
            let linkFlood = await [AttackConnection].open(20, from: "127.0.0.7", to: cluster.origins["fl-o1"]!.linkPort)
            let metrics = edge.operatorPort
            let capsReached = try await eventually(.seconds(20)) {
                try await metric("streamly_connections_refused_total", port: metrics, ["reason=\"total\""]) >= 1
            }
            #expect(capsReached, "no connection was refused for the total cap")

            // While the flood holds its connections, the good client's open ones keep working.
            try await good.run(phase: "flood", rounds: 8)
            let open = try await metric("streamly_connections_open", port: metrics, ["listener=\"http"])
            let perAddress = try await metric("streamly_connections_refused_total", port: metrics, ["reason=\"per-address\""])
            let total = try await metric("streamly_connections_refused_total", port: metrics, ["reason=\"total\""])
            let linkRefused = try await metric("streamly_connections_refused_total", port: cluster.origins["fl-o1"]!.operatorPort,
                                               ["listener=\"link\"", "reason=\"per-address\""])
            let held = flood.filter { !$0.isClosed }.count
            print("[attack] flood: \(flood.count) connected, \(held) held, \(open) open at the edge, refused \(perAddress) per address and \(total) for the total; link: \(linkRefused) refused")
            #expect(open <= 120, "\(open) connections open over a cap of 120")
            #expect(perAddress >= 20, "60 connections from one address with a cap of 40")
            #expect(total >= 1 && perAddress + total >= Double(flood.count - 120),
                    "\(flood.count) flood connections with a total cap of 120")
            #expect(held <= 120)
            #expect(linkRefused >= 12, "20 link connections from one address with a cap of 8")
            // A new connection is refused while the edge is full…
            let whileFull = try? await curl("http://127.0.0.1:\(edge.port)/healthz", maxTime: 5)
            #expect(whileFull?.status != 200, "a new connection was served while the total cap was reached")
            Self.expectGoodClientUnharmed(good, phase: "flood")

            // …and served once the flood is gone.
            flood.closeAll()
            linkFlood.closeAll()
            let served = await eventually(.seconds(20)) {
                (try? await curl("http://127.0.0.1:\(edge.port)/healthz", maxTime: 5))?.status == 200
            }
            #expect(served, "new connections still refused after the flood ended")
            #expect(cluster.edges["fl-e1"]!.process.isRunning && cluster.origins["fl-o1"]!.process.isRunning)
            await good.stop()
        }
    }
}
