import Foundation

/// The printed figures of `streamly-load rtc`.
enum RTCLoadReport {
    static func describe(_ result: RTCLoadResult, server: String) -> String {
        var lines = ["\(server):"]
        func add(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 34, withPad: " ", startingAt: 0) + value) }
        add("published", String(format: "%.0f packets/s (all layers)", Double(result.sentPackets) / result.window))
        add("forwarded", String(format: "%.0f packets/s, %.1f Mbit/s", result.forwardedPerSecond, result.megabitsPerSecond))
        add("loss", String(format: "%.3f %% (%d of %d expected)", result.lossPercent, max(0, result.expected - result.received),
                           result.expected))
        if result.missingVideo + result.missingAudio > 0 {
            add("pairs receiving nothing", "\(result.missingVideo) video, \(result.missingAudio) audio")
        }
        add("one-way latency p50 / p99", String(format: "%.0f / %.0f µs (publisher send → subscriber receive)",
                                                result.latencies.microseconds(atPercentile: 50),
                                                result.latencies.microseconds(atPercentile: 99)))
        if let forwarding = result.serverForwarding, let mean = forwarding.mean {
            add("edge forwarding time, mean", String(format: "%.1f µs (its metric: decrypted packet in → copy handed to the socket)", mean * 1e6))
            add("edge forwarding time, p50 / p99", String(format: "%.1f / %.1f µs (interpolated in its histogram's buckets)",
                                                          (forwarding.quantile(0.5) ?? 0) * 1e6, (forwarding.quantile(0.99) ?? 0) * 1e6))
        }
        if let cores = result.serverCores {
            add("server CPU", String(format: "%.1f %% of one core", cores * 100))
        }
        if let perCore = result.forwardedPerCore, let cores = result.serverCores, cores > 0 {
            add("forwarded per server core", String(format: "%.0f packets/s, %.1f Mbit/s", perCore,
                                                    result.megabitsPerSecond / cores))
        }
        if let rss = result.rssPerParticipant {
            add("server RSS per participant", String(format: "%.0f KiB", rss / 1_024))
        }
        add("keyframe requests", "\(result.keyframeRequests)")
        if !result.failures.isEmpty { add("signaling failures", result.failures.prefix(3).joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }

    /// Per edge: its participants' join and publish times, its CPU, and what its relay sent
    /// against one copy of each needed track per other edge.
    static func describeSites(_ result: RTCLoadResult, sites: [RTCLoadSite]) -> String {
        let expected = result.relayNeeded
        var lines = ["  per edge:"]
        for (index, site) in sites.enumerated() {
            let joins = result.joins.filter { $0.site == index }
            let join = milliseconds(joins.map(\.join)), publish = milliseconds(joins.compactMap(\.publish))
            var text = "    \(site.edge) (\(joins.count) participants): join p50/max \(join), publish p50/max \(publish)"
            let server = index < result.servers.count ? result.servers[index] : RTCLoadResult.Server()
            if let cpu = server.cpuSeconds { text += String(format: ", CPU %.1f %% of a core", cpu / result.window * 100) }
            lines.append(text)
            if let relay = server.relay {
                let remote = result.plan.remoteSites(of: index)
                let outRate = relay.packetsOut / result.window
                let copies = expected[index] > 0 ? String(format: "%.2f copies", outRate / expected[index]) : "none needed"
                lines.append(String(
                    format: "      relay out %.2f Mbit/s (%.2f per remote edge, %d remote edges), in %.2f Mbit/s, %.0f links; "
                        + "%.0f packets/s sent, %.0f needed (one copy of each needed layer per remote edge): ",
                    relay.bytesOut * 8 / result.window / 1e6, remote == 0 ? 0 : relay.bytesOut * 8 / result.window / 1e6 / Double(remote),
                    remote, relay.bytesIn * 8 / result.window / 1e6, relay.links, outRate, expected[index]) + copies)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "p50 / max ms" of `durations`.
    private static func milliseconds(_ durations: [Duration]) -> String {
        guard !durations.isEmpty else { return "-" }
        let values = durations.map { Double($0.components.seconds) * 1e3 + Double($0.components.attoseconds) / 1e15 }.sorted()
        return String(format: "%.0f / %.0f ms", values[values.count / 2], values.last!)
    }

    /// The same load without and with cascade (same edges, same run).
    static func compareCascade(without: RTCLoadResult, with cascade: RTCLoadResult) -> String {
        func row(_ label: String, _ a: Double?, _ b: Double?, _ format: String) -> String {
            let left = a.map { String(format: format, $0) } ?? "-", right = b.map { String(format: format, $0) } ?? "-"
            let ratio = (a.flatMap { a in b.map { b in a > 0 ? String(format: "%.2f×", b / a) : "-" } }) ?? "-"
            return "  " + label.padding(toLength: 30, withPad: " ", startingAt: 0) + left.leftPadded(14) + right.leftPadded(14)
                + ratio.leftPadded(9)
        }
        return [
            "Without vs with cascade (same load and edges; ratio = with ÷ without):",
            "  " + "measure".padding(toLength: 30, withPad: " ", startingAt: 0) + "no cascade".leftPadded(14)
                + "cascade".leftPadded(14) + "ratio".leftPadded(9),
            row("forwarded packets/s", without.forwardedPerSecond, cascade.forwardedPerSecond, "%.0f"),
            row("forwarded per edge core", without.forwardedPerCore, cascade.forwardedPerCore, "%.0f"),
            row("edges' CPU (% of a core)", without.serverCores.map { $0 * 100 }, cascade.serverCores.map { $0 * 100 }, "%.1f"),
            row("loss %", without.lossPercent, cascade.lossPercent, "%.3f"),
            row("one-way p50 µs", without.latencies.microseconds(atPercentile: 50), cascade.latencies.microseconds(atPercentile: 50), "%.0f"),
            row("one-way p99 µs", without.latencies.microseconds(atPercentile: 99), cascade.latencies.microseconds(atPercentile: 99), "%.0f"),
            row("relay out, all edges Mbit/s", without.relayMegabitsOut, cascade.relayMegabitsOut, "%.2f"),
        ].joined(separator: "\n")
    }

    static func compare(_ streamly: RTCLoadResult, _ janus: RTCLoadResult) -> String {
        func ratio(_ a: Double?, _ b: Double?) -> String {
            guard let a, let b, b > 0 else { return "-" }
            return String(format: "%.2f×", a / b)
        }
        let rows: [(String, String, String, String)] = [
            ("forwarded packets/s", String(format: "%.0f", streamly.forwardedPerSecond), String(format: "%.0f", janus.forwardedPerSecond),
             ratio(streamly.forwardedPerSecond, janus.forwardedPerSecond)),
            ("forwarded per server core", streamly.forwardedPerCore.map { String(format: "%.0f", $0) } ?? "-",
             janus.forwardedPerCore.map { String(format: "%.0f", $0) } ?? "-", ratio(streamly.forwardedPerCore, janus.forwardedPerCore)),
            ("server CPU (% of a core)", streamly.serverCores.map { String(format: "%.1f", $0 * 100) } ?? "-",
             janus.serverCores.map { String(format: "%.1f", $0 * 100) } ?? "-", ratio(streamly.serverCores, janus.serverCores)),
            ("loss %", String(format: "%.3f", streamly.lossPercent), String(format: "%.3f", janus.lossPercent), "-"),
            ("one-way p50 µs", String(format: "%.0f", streamly.latencies.microseconds(atPercentile: 50)),
             String(format: "%.0f", janus.latencies.microseconds(atPercentile: 50)),
             ratio(streamly.latencies.microseconds(atPercentile: 50), janus.latencies.microseconds(atPercentile: 50))),
            ("one-way p99 µs", String(format: "%.0f", streamly.latencies.microseconds(atPercentile: 99)),
             String(format: "%.0f", janus.latencies.microseconds(atPercentile: 99)),
             ratio(streamly.latencies.microseconds(atPercentile: 99), janus.latencies.microseconds(atPercentile: 99))),
            ("RSS per participant KiB", streamly.rssPerParticipant.map { String(format: "%.0f", $0 / 1_024) } ?? "-",
             janus.rssPerParticipant.map { String(format: "%.0f", $0 / 1_024) } ?? "-",
             ratio(streamly.rssPerParticipant, janus.rssPerParticipant)),
        ]
        var lines = ["StreamLy vs Janus (same load, same run; ratio = StreamLy ÷ Janus):",
                     "  " + "measure".padding(toLength: 28, withPad: " ", startingAt: 0) + "StreamLy".leftPadded(12)
                         + "Janus".leftPadded(12) + "ratio".leftPadded(9)]
        for row in rows {
            lines.append("  " + row.0.padding(toLength: 28, withPad: " ", startingAt: 0) + row.1.leftPadded(12)
                         + row.2.leftPadded(12) + row.3.leftPadded(9))
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON line (tests read it).
    static func json(_ result: RTCLoadResult, server: String) -> String {
        let object: [String: Any] = [
            "server": server, "window_seconds": result.window, "sent_packets": result.sentPackets,
            "expected_packets": result.expected, "received_packets": result.received,
            "forwarded_per_second": result.forwardedPerSecond, "loss_percent": result.lossPercent,
            "missing_video": result.missingVideo, "missing_audio": result.missingAudio,
            "latency_p50_us": result.latencies.microseconds(atPercentile: 50),
            "latency_p99_us": result.latencies.microseconds(atPercentile: 99),
            "server_cpu_cores": result.serverCores ?? -1, "forwarded_per_core": result.forwardedPerCore ?? -1,
            "rss_per_participant_bytes": result.rssPerParticipant ?? -1, "failures": result.failures,
            "server_forwarding_mean_us": (result.serverForwarding?.mean ?? -1e-6) * 1e6,
            "server_forwarding_p50_us": (result.serverForwarding?.quantile(0.5) ?? -1e-6) * 1e6,
            "server_forwarding_p99_us": (result.serverForwarding?.quantile(0.99) ?? -1e-6) * 1e6,
            "cascade": result.plan.cascade,
            "sites": result.servers.indices.map { index in
                let server = result.servers[index], joins = result.joins.filter { $0.site == index }
                var site: [String: Any] = [
                    "participants": joins.count,
                    "join_ms": joins.map { $0.join / .milliseconds(1) },
                    "publish_ms": joins.compactMap { $0.publish.map { $0 / .milliseconds(1) } },
                    "cpu_cores": server.cpuSeconds.map { $0 / result.window } ?? -1,
                    "relay_expected_packets_per_second": index < result.relayNeeded.count ? result.relayNeeded[index] : 0,
                    "remote_sites": result.plan.remoteSites(of: index),
                ]
                if let relay = server.relay {
                    site["relay_out_packets_per_second"] = relay.packetsOut / result.window
                    site["relay_in_packets_per_second"] = relay.packetsIn / result.window
                    site["relay_out_megabits_per_second"] = relay.bytesOut * 8 / result.window / 1e6
                    site["relay_in_megabits_per_second"] = relay.bytesIn * 8 / result.window / 1e6
                    site["relay_links"] = relay.links
                }
                return site
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
