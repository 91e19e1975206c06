import ArgumentParser
import Foundation
import NIOCore

/// `streamly-load abuse`: runs each attack against a running edge (loopback only) while a
/// well-behaved client chats (publish → ack) and, with `--hls`, streams; prints per attack how
/// the edge refused it, the good client's p99 during the attack against without it, and
/// whether the edge (and `--origin-port`'s process) survived. Figures: loadtest/RESULTS.md.
struct AbuseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abuse",
        abstract: "Attack a running edge while a well-behaved client chats and streams; print how each attack was refused.")

    @Option(help: "The edge's public HTTP address (loopback).")
    var edge: String = "http://127.0.0.1:8080"
    @Option(help: "A path on the edge the good client fetches again and again, e.g. /vod/ID/360p/index.m3u8?token=…")
    var hls: String?
    @Option(help: "The origin's link port: its process is checked to be alive after every attack.")
    var originPort: Int?
    @Option(help: "Attacks to run, comma-separated (\(AbuseAttack.allCases.map(\.rawValue).joined(separator: ", "))).")
    var attacks: String = AbuseAttack.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Connections of the slowloris and flood attacks.")
    var connections: Int = 300
    @Option(help: "Seconds per attack (and of the baseline).")
    var seconds: Double = 15
    @Option(help: "Loopback source address of the attackers (the good client uses 127.0.0.1).")
    var source: String = "127.0.0.2"

    func run() async throws {
        guard let edge = EdgeAddress(edge) else { throw ValidationError("--edge must be a loopback host:port") }
        guard EdgeAddress.isLoopback(source), source != "127.0.0.1" else { throw ValidationError("--source must be 127.0.0.x, not .1") }
        let chosen = try attacks.split(separator: ",").map { name in
            guard let attack = AbuseAttack(rawValue: String(name)) else { throw ValidationError("unknown attack \(name)") }
            return attack
        }
        let edgePID = ProcessProbe.listener(port: edge.port)
        let originPID = originPort.flatMap { ProcessProbe.listener(port: $0) }
        let good = try await AbuseGoodClient.start(edge: edge, hlsPath: hls)
        let attacker = try await AbuseGoodClient.start(edge: edge, hlsPath: nil)  // an account for the WebSocket attacks
        let stop = AbuseStop()
        let running = Task { await good.run(until: stop) }
        good.begin("baseline")
        try await Task.sleep(for: .seconds(seconds))

        var rows: [[String]] = []
        let baseline = good.phase("baseline")
        for attack in chosen {
            good.begin(attack.rawValue)
            let how = await attack.run(.init(edge: edge, token: attacker.token, channel: attacker.channel, source: source,
                                             connections: connections, seconds: seconds))
            let during = good.phase(attack.rawValue)
            let alive = (edgePID.map { kill($0, 0) == 0 } ?? true) && (originPID.map { kill($0, 0) == 0 } ?? true)
            rows.append([attack.rawValue, how, Self.p99(during), Self.p99(baseline), "\(during.failures)", alive ? "no" : "YES"])
            good.begin("between")
            try await Task.sleep(for: .seconds(2))  // let deadlines and closes settle before the next one
        }
        stop.set()
        await running.value
        print(Self.table(["attack", "refused how", "good p99 during", "good p99 without", "good failures", "process died"], rows))
        print("good client: \(baseline.latencies.count) operations in the baseline (publish → ack\(hls == nil ? "" : ", HLS GET"))")
    }

    static func p99(_ phase: AbuseGoodClient.Phase) -> String {
        phase.latencies.count == 0 ? "-" : String(format: "%.1f ms", phase.latencies.microseconds(atPercentile: 99) / 1_000)
    }

    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        let lines = [headers, headers.map { String(repeating: "-", count: $0.count) }] + rows
        return lines.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
    }
}
