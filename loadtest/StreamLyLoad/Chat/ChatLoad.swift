import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `streamly-load chat`: many WebSocket clients on one or more running edges, each
/// subscribed to one of M public channels, some of them publishing R messages per
/// second in total. Prints end-to-end latency, throughput, ack latency, connect time
/// and the edges' memory per connection; fails if any message was lost or duplicated.
struct ChatLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Load-test chat delivery through running edges (loopback only).",
        discussion: """
            Signs up users (one per --connections-per-user connections), creates --channels public \
            channels, opens --connections WebSocket clients round-robin over the edges and channels \
            (each subscribes to one channel), then publishes --rate messages/s in total for \
            --warmup + --duration seconds, spread over publishers that stay under the edge's \
            per-connection and per-user limits. Every message carries its send time; latency is \
            measured at every subscriber. Exits non-zero if a message was lost, duplicated or \
            delivered out of order, a publish failed, or a connection failed or dropped. \
            Build with -c release for meaningful figures.
            """
    )

    @Option(help: "Edges to use, comma-separated: http://127.0.0.1:8080 or host:port (loopback only).")
    var edges: EdgeList = EdgeList(argument: "http://127.0.0.1:8080")!

    @Option(help: "WebSocket clients to open.")
    var connections: Int = 1_000

    @Option(help: "Public channels to create; connection i subscribes to channel i mod M.")
    var channels: Int = 10

    @Option(help: "Messages published per second, in total.")
    var rate: Double = 100

    @Option(help: "Measured seconds of publishing (after the warm-up).")
    var duration: Double = 10

    @Option(help: "Seconds of publishing before the measured window (delivered and checked, not timed).")
    var warmup: Double = 2

    @Option(help: "Seconds to wait after the last connection subscribed, before publishing (presence settles).")
    var settle: Double = 2

    @Option(help: "Connections sharing one user account (a signup costs ~80 ms of scrypt on the origin).")
    var connectionsPerUser: Int = 10

    @Option(help: "Size of each published body in bytes (send time + padding).")
    var bodyBytes: Int = 100

    @Option(name: .customLong("ws-ops-per-second"), help: "The edge's ws.ops.per.second (STREAMLY_WS_OPS_PER_SECOND): publishers stay at ≤ 80% of it.")
    var opsPerSecond: Double = 50

    @Option(name: .customLong("ws-publishes-per-second"), help: "The edge's ws.publishes.per.second (STREAMLY_WS_PUBLISHES_PER_SECOND), per user: publishers stay at ≤ 80% of it.")
    var publishesPerSecond: Double = 30

    @Option(help: "Most messages per second one publisher sends (default: 80% of the edge limits); lower means more, slower publishers.")
    var maxPublisherRate: Double?

    @Option(help: "PIDs of the edges, in --edges order (default: the process listening on each edge's port).")
    var edgePid: PIDList?

    @Option(help: "PIDs of origins whose CPU use to report.")
    var originPid: PIDList?

    @Option(help: "Event-loop threads of this client (it shares the machine with the system under test).")
    var threads: Int = 1

    @Option(help: "Connections being opened at once.")
    var connectConcurrency: Int = 200

    @Option(help: "Signups and channel creations in flight at once.")
    var setupConcurrency: Int = 8

    @Option(help: "Seconds one connection may take from connect to subscribed.")
    var connectTimeout: Int64 = 30

    @Option(help: "Seconds to wait after publishing stops for the last deliveries.")
    var drainTimeout: Double = 15

    @Option(help: "Write one CSV line per acknowledged publish (client_id, send and ack wall-clock µs, seq) to this file.")
    var trace: String?

    func validate() throws {
        guard (1...200_000).contains(connections) else { throw ValidationError("--connections must be 1...200000") }
        guard (1...connections).contains(channels) else { throw ValidationError("--channels must be 1...connections") }
        guard rate > 0, rate <= 1_000_000 else { throw ValidationError("--rate must be in (0, 1000000]") }
        guard (1...600).contains(duration), (0...60).contains(warmup), (0...60).contains(settle) else {
            throw ValidationError("--duration must be 1...600 s, --warmup and --settle 0...60 s (access tokens last 15 minutes)")
        }
        guard (16...8_000).contains(bodyBytes) else { throw ValidationError("--body-bytes must be 16...8000") }
        guard (1...64).contains(threads), connectConcurrency >= 1, setupConcurrency >= 1, connectionsPerUser >= 1,
              connectTimeout >= 1, drainTimeout > 0 else { throw ValidationError("counts and timeouts must be positive") }
        if let edgePid, edgePid.pids.count != edges.addresses.count {
            throw ValidationError("--edge-pid needs one PID per edge")
        }
    }

    func run() async throws {
        let addresses = edges.addresses
        let loadAtStart = ProtoBenchmark.loadAverage()
        let machine = ProtoBenchmark.machine(target: nil)
        let plan: ChatPlan
        do {
            plan = try ChatPlan.make(
                connections: connections, channels: channels, edges: addresses.count, rate: rate,
                connectionsPerUser: connectionsPerUser,
                limits: .init(opsPerSecond: opsPerSecond, publishesPerSecondPerUser: publishesPerSecond,
                              publisherRate: maxPublisherRate ?? .infinity))
        } catch let invalid as ChatPlan.Invalid {
            throw ValidationError(invalid.description)
        }
        var notes: [String] = []
        notes += try checkDescriptors(plan: plan)
        var watched = watchedProcesses(addresses)
        for process in watched where process.name.hasPrefix("edge") {
            let perEdge = (connections + addresses.count - 1) / addresses.count
            if let limit = ProcessProbe.openFileLimit(process.pid), limit < perEdge + 256 {
                notes.append("WARNING: \(process.name) (pid \(process.pid)) may open only \(limit) files but gets \(perEdge) clients: start it after `ulimit -n \(perEdge + 1_024)`")
            }
        }
        for note in notes { progress(note) }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let drivers = (0..<threads).map { _ in ChatLoopDriver(eventLoop: group.next(), tracing: trace != nil) }
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let report: Outcome
        do {
            report = try await execute(plan, runID: runID, drivers: drivers, group: group, watched: &watched)
        } catch {
            for driver in drivers { _ = try? await driver.closeAll().get() }
            try? await group.shutdownGracefully()
            throw error
        }
        try? await group.shutdownGracefully()
        print("streamly-load chat · \(machine["date"]!) · \(machine["cores"]!) cores · \(machine["build"]!) build"
              + " · \(addresses.count) edge(s) · 1-min load average at start \(loadAtStart) · run \(runID)")
        print("")
        print(report.text)
        for note in notes { print(note) }
        if !report.passed { throw ExitCode(1) }
    }

    // MARK: - Phases

    private struct Outcome {
        var text: String
        var passed: Bool
    }

    private func execute(_ plan: ChatPlan, runID: String, drivers: [ChatLoopDriver], group: any EventLoopGroup,
                         watched: inout [WatchedProcess]) async throws -> Outcome {
        let addresses = edges.addresses
        let setup = ChatSetup(client: RESTClient(group: group), edges: addresses, runID: runID, concurrency: setupConcurrency)
        progress("signing up \(plan.users) users")
        var clock = nowNanos()
        let tokens = try await setup.signUp(plan.users)
        let signupSeconds = Double(nowNanos() - clock) / 1e9
        progress("creating \(plan.channels) channels")
        clock = nowNanos()
        let channelIDs = try await setup.createChannels(plan.channels, token: tokens[0])
        let channelSeconds = Double(nowNanos() - clock) / 1e9

        for index in watched.indices { watched[index].mark("before") }
        progress("opening \(plan.connections.count) connections, \(connectConcurrency) at a time")
        let connect = try await openConnections(plan, runID: runID, tokens: tokens, channelIDs: channelIDs, drivers: drivers)
        for index in watched.indices { watched[index].mark("connected") }

        try await Task.sleep(for: .seconds(settle))
        let publishStart = nowNanos() + 20_000_000
        let window = MeasurementWindow(warmup: warmup, seconds: duration, from: publishStart)
        progress(String(format: "publishing %.0f msg/s for %.0f s + %.0f s warm-up", rate, duration, warmup))
        for driver in drivers { driver.start(at: publishStart, window: window) }
        try await sleep(until: window.start)
        for index in watched.indices { watched[index].mark("window start") }
        try await sleep(until: window.end)
        for index in watched.indices { watched[index].mark("window end") }

        let drainSeconds = try await drain(drivers, plan: plan)
        var stats = ChatStats()
        for driver in drivers { stats.add(try await driver.snapshot().get()) }
        for index in watched.indices { watched[index].mark("after") }
        for driver in drivers { try await driver.closeAll().get() }

        if let trace {
            let lines = ["client_id,sent_us,acked_us,seq"] + stats.trace.map { "\($0.clientID),\($0.sentMicros),\($0.ackedMicros),\($0.seq)" }
            try (lines.joined(separator: "\n") + "\n").write(toFile: trace, atomically: true, encoding: .utf8)
        }
        let check = DeliveryCheck(stats, channels: plan.channels)
        var report = ChatReport()
        let subscribers = plan.subscribersPerChannel
        report.section("Set-up")
        report.row("users (signup, \(setupConcurrency) at a time)", "\(plan.users) in \(ChatReport.seconds(signupSeconds))")
        report.row("public channels", "\(plan.channels) in \(ChatReport.seconds(channelSeconds))")
        report.row("subscribers per channel", subscribers.min() == subscribers.max() ? "\(subscribers[0])" : "\(subscribers.min()!)…\(subscribers.max()!)")
        report.row("publishers", String(format: "%d at %.2f msg/s each (%.0f msg/s)", plan.publishers, plan.ratePerPublisher, rate))
        report.section("Connect (\(ChatReport.count(plan.connections.count)) clients, \(connectConcurrency) at a time)")
        report.row("connected / failed", "\(ChatReport.count(connect.connected)) / \(connect.failures)")
        report.row("total", "\(ChatReport.seconds(connect.seconds)) (\(ChatReport.rate(Double(connect.connected) / connect.seconds, "conn/s")))")
        report.row("TCP + upgrade  p50 / p99 / p99.9 / max", ChatReport.percentiles(connect.upgrade))
        report.row("to subscribed  p50 / p99 / p99.9 / max", ChatReport.percentiles(connect.ready))
        if let error = connect.firstError { report.row("first failure", error) }
        report.section(String(format: "Delivery (%.0f s window after %.0f s warm-up; %.1f s drain)", duration, warmup, drainSeconds))
        report.row("deliveries", ChatReport.rate(Double(stats.deliveriesInWindow) / window.seconds, "msg/s"))
        report.row("end-to-end  p50 / p99 / p99.9 / max", ChatReport.percentiles(stats.endToEnd))
        report.row("ack  p50 / p99 / p99.9 / max", ChatReport.percentiles(stats.ack))
        report.row("published / acked / failed (retries)", "\(ChatReport.count(stats.published)) / \(ChatReport.count(stats.acked)) / \(stats.publishErrors) (\(stats.retries))")
        report.row("delivered / expected", "\(ChatReport.count(check.delivered)) / \(ChatReport.count(check.expected))")
        report.row("duplicates / gaps (missing)", "\(check.duplicates) / \(check.gaps) (\(check.missing))")
        report.row("publisher send lag, max", ChatReport.duration(stats.maxSendLag))
        report.row("presence events received", ChatReport.count(stats.presenceEvents))
        if !stats.errorCodes.isEmpty { report.row("error events", stats.errorCodes.map { "\($0.key) ×\($0.value)" }.sorted().joined(separator: ", ")) }
        if stats.unexpectedCloses > 0 || stats.wrongChannel > 0 || check.unacknowledged > 0 {
            report.row("dropped connections / wrong channel / unacked deliveries", "\(stats.unexpectedCloses) / \(stats.wrongChannel) / \(check.unacknowledged)")
        }
        for problem in check.problems.prefix(5) { report.row("channel \(problem.channel)", problem.description) }
        if check.problems.count > 5 { report.row("…", "\(check.problems.count) channels with problems") }
        for process in watched {
            describe(process, clients: clientsOf(process, plan: plan, connected: connect.connected), window: window,
                     deliveries: stats.deliveriesInWindow, into: &report)
        }

        var failures: [String] = []
        if connect.failures > 0 { failures.append("\(connect.failures) connections failed") }
        if !check.passed { failures.append("delivered \(check.delivered) of \(check.expected), \(check.duplicates) duplicates, \(check.gaps) gaps") }
        if stats.publishErrors > 0 || stats.acked != stats.published { failures.append("\(stats.published - stats.acked) publishes not acknowledged") }
        if stats.unexpectedCloses > 0 { failures.append("\(stats.unexpectedCloses) connections dropped") }
        if stats.wrongChannel > 0 { failures.append("\(stats.wrongChannel) events for the wrong channel") }
        report.section(failures.isEmpty ? "PASS: every acknowledged message reached every subscriber once, in order"
                                        : "FAIL: " + failures.joined(separator: "; "))
        return Outcome(text: report.render(), passed: failures.isEmpty)
    }

    private struct ConnectResult {
        var upgrade = LatencyRecorder()
        var ready = LatencyRecorder()
        var connected = 0
        var failures = 0
        var firstError: String?
        var seconds = 0.0
    }

    private func openConnections(_ plan: ChatPlan, runID: String, tokens: [String], channelIDs: [String],
                                 drivers: [ChatLoopDriver]) async throws -> ConnectResult {
        let addresses = edges.addresses
        let timeout = TimeAmount.seconds(connectTimeout)
        let specs = plan.connections.map { connection in
            ChatConnectionSpec(
                index: connection.index, channel: connection.channel, channelID: channelIDs[connection.channel],
                token: tokens[connection.user], publishRate: connection.publishRate, phase: connection.phase,
                clientIDPrefix: "\(runID)-\(connection.index)-", bodyBytes: bodyBytes)
        }
        var result = ConnectResult()
        let start = nowNanos()
        await withTaskGroup(of: Result<ChatWebSocket.Timing, any Error>.self) { group in
            var next = 0
            func launch() {
                let spec = specs[next], connection = plan.connections[next]
                let driver = drivers[next % drivers.count]
                group.addTask {
                    do {
                        return .success(try await ChatWebSocket.open(spec, edge: addresses[connection.edge],
                                                                     driver: driver, timeout: timeout))
                    } catch {
                        return .failure(error)
                    }
                }
                next += 1
            }
            while next < min(connectConcurrency, specs.count) { launch() }
            while let outcome = await group.next() {
                switch outcome {
                case .success(let timing):
                    result.connected += 1
                    result.upgrade.record(nanoseconds: timing.upgrade)
                    result.ready.record(nanoseconds: timing.ready)
                    if result.connected % 1_000 == 0 { progress("\(result.connected) connected") }
                case .failure(let error):
                    result.failures += 1
                    if result.firstError == nil { result.firstError = "\(error)" }
                }
                if next < specs.count { launch() }
            }
        }
        result.seconds = Double(nowNanos() - start) / 1e9
        return result
    }

    /// Waits until every acknowledged message reached every subscriber (or the drain
    /// timeout); returns the seconds waited.
    private func drain(_ drivers: [ChatLoopDriver], plan: ChatPlan) async throws -> Double {
        let start = nowNanos()
        let subscribers = plan.subscribersPerChannel
        let deadline = start + UInt64(drainTimeout * 1e9)
        while nowNanos() < deadline {
            var delivered = 0, published = 0, answered = 0
            var acked: [Int: Int] = [:]
            for driver in drivers {
                let progress = try await driver.progress().get()
                delivered += progress.deliveries
                published += progress.published
                answered += progress.answered
                acked.merge(progress.acked, uniquingKeysWith: +)
            }
            let expected = acked.reduce(0) { $0 + $1.value * subscribers[$1.key] }
            if delivered >= expected && answered >= published { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return Double(nowNanos() - start) / 1e9
    }

    // MARK: - Processes and limits

    /// Raises this process's open-file limit for the clients; returns notes for the user.
    private func checkDescriptors(plan: ChatPlan) throws -> [String] {
        let needed = plan.connections.count + 256
        let limit = ProcessProbe.raiseOpenFileLimit(to: needed)
        guard limit >= needed else {
            throw ValidationError("\(plan.connections.count) clients need \(needed) file descriptors but the limit is \(limit): run `ulimit -n \(needed)` first")
        }
        var notes: [String] = []
        if let ports = ProcessProbe.ephemeralPorts(), plan.connections.count / max(1, edges.addresses.count) > ports {
            notes.append("WARNING: more clients per edge than ephemeral ports (\(ports)); connections will fail")
        }
        return notes
    }

    private func watchedProcesses(_ addresses: [EdgeAddress]) -> [WatchedProcess] {
        var watched: [WatchedProcess] = []
        for (index, address) in addresses.enumerated() {
            if let pid = edgePid?.pids[index] ?? ProcessProbe.listener(port: address.port) {
                watched.append(WatchedProcess(name: "edge \(address)", pid: pid))
            } else {
                progress("note: no process found listening on \(address) (pass --edge-pid): edge memory not reported")
            }
        }
        for pid in originPid?.pids ?? [] { watched.append(WatchedProcess(name: "origin", pid: pid)) }
        watched.append(WatchedProcess(name: "load client (this process)", pid: getpid()))
        return watched
    }

    private func clientsOf(_ process: WatchedProcess, plan: ChatPlan, connected: Int) -> Int {
        if process.name.hasPrefix("edge"), let edge = edges.addresses.firstIndex(where: { "edge \($0)" == process.name }) {
            return plan.connections.filter { $0.edge == edge }.count * connected / max(1, plan.connections.count)
        }
        return process.name.hasPrefix("load") ? connected : 0
    }

    /// `deliveries`: in the window, over all edges (an edge's CPU per delivery is given when it is the only one).
    private func describe(_ process: WatchedProcess, clients: Int, window: MeasurementWindow, deliveries: Int,
                          into report: inout ChatReport) {
        report.section("\(process.name.prefix(1).uppercased() + process.name.dropFirst()) (pid \(process.pid))")
        if clients > 0, let before = process.rss["before"], let after = process.rss["connected"] {
            report.row("RSS before → after connecting", "\(ChatReport.bytes(Double(before))) → \(ChatReport.bytes(Double(after)))")
            report.row("RSS per connection", ChatReport.bytes(Double(after - before) / Double(clients)))
        }
        if let end = process.rss["after"] { report.row("RSS after the run", ChatReport.bytes(Double(end))) }
        if let start = process.cpu["window start"], let end = process.cpu["window end"] {
            report.row("CPU during the window", String(format: "%.1f%% of one core", (end - start) / window.seconds * 100))
            if process.name.hasPrefix("edge"), edges.addresses.count == 1, deliveries > 0 {
                report.row("CPU per delivery", String(format: "%.1f µs", (end - start) / Double(deliveries) * 1e6))
            }
        }
    }

    // MARK: - Helpers

    private func sleep(until deadline: UInt64) async throws {
        let now = nowNanos()
        if deadline > now { try await Task.sleep(for: .nanoseconds(Int64(deadline - now))) }
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("· \(text)\n".utf8))
    }
}
