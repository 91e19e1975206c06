import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `streamly-load rtc`: group calls through a running edge (and, with `--janus`, the same load
/// through a Janus VideoRoom the tool starts), synthetic participants with real ICE, DTLS and
/// SRTP on loopback. Prints forwarded packets/s and Mbit/s, loss, one-way latency p50/p99, the
/// server's CPU and RSS per participant; figures: loadtest/RESULTS.md "SFU calls".
struct RTCLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtc",
        abstract: "Benchmark SFU forwarding: N calls of P publishers (Opus + 3-layer VP8 simulcast) and S subscribers.",
        discussion: """
            Needs a running edge and origin on loopback whose media port announces an address \
            this machine reaches (rtc.announced.ips=127.0.0.1 is fine), with rtc.limits.participants \
            ≥ P+S and the per-IP signup limit raised (auth.ip.signup.per.minute). Publishers also \
            receive the other publishers; subscribers only receive. Build with -c release for figures.
            """
    )

    @Option(name: .customLong("edge"), help: ArgumentHelp(
        "An edge's public HTTP address (loopback, or 10.77.x.x in infra/regions.sh's world); repeat for several edges.",
        valueName: "url"))
    var edges: [String] = []
    @Option(name: .customLong("edge-pid"), help: "Each edge's process id, for its CPU and RSS (default: the process listening on the edge's port).")
    var edgePIDs: [Int32] = []
    @Option(name: .customLong("edge-operator"), help: "Each edge's operator address, for its forwarding time and relay counters (/metrics).")
    var edgeOperators: [String] = []
    @Option(name: .customLong("client-namespace"), help: ArgumentHelp(
        "For each edge, the network namespace its participants' sockets are opened in (the regions world's client hosts, e.g. slr-eu-c1; needs root).",
        valueName: "name"))
    var clientNamespaces: [String] = []
    @Option(name: .customLong("client-address"), help: "For each edge, the address its participants bind (default 127.0.0.1; with --client-namespace, that host's address).")
    var clientAddresses: [String] = []
    @Option(help: "With several edges: on (each call's participants spread over the edges, its tracks relayed between them), off (each call on one edge), or both (off, then on).")
    var cascade: CascadeMode = .off
    @Option(help: "Calls.")
    var calls: Int = 4
    @Option(help: "Publishers per call (each sends Opus + VP8 q/h/f and receives the others).")
    var publishers: Int = 3
    @Option(help: "Receive-only subscribers per call.")
    var subscribers: Int = 5
    @Option(help: "Measured seconds.")
    var seconds: Double = 10
    @Option(help: "Seconds between the last subscriber connecting and the measurement (keyframes, layer choice).")
    var warmup: Double = 4
    @Option(help: "Event loop threads of the load tool's peers.")
    var threads: Int = 2
    @Option(help: "VP8 layer bitrates q,h,f in kbit/s.")
    var videoKbps: String = "150,500,1700"
    @Option(help: "Opus bitrate in kbit/s.")
    var audioKbps: Int = 32
    @Flag(help: "Also run the same load through Janus's VideoRoom (Debian janus), started by the tool.")
    var janus = false
    @Option(help: "The janus executable.")
    var janusBinary: String = "/usr/bin/janus"
    @Option(help: "First of the loopback ports Janus gets (HTTP API, then its RTP range of 2000).")
    var janusPort: Int = 18_088
    @Option(help: "Janus's log level (0–7; its log is printed when the Janus run fails).")
    var janusLogLevel: Int = 3
    @Flag(help: "Also print each result as one JSON line.")
    var json = false

    enum CascadeMode: String, ExpressibleByArgument, CaseIterable {
        case off, on, both
    }

    func validate() throws {
        let sites = max(1, edges.count)
        guard sites <= 16 else { throw ValidationError("at most 16 edges") }
        for (name, count) in [("--edge-pid", edgePIDs.count), ("--edge-operator", edgeOperators.count),
                              ("--client-namespace", clientNamespaces.count), ("--client-address", clientAddresses.count)]
        where count != 0 && count != sites {
            throw ValidationError("\(name): give it once per --edge (\(sites)) or not at all")
        }
        guard cascade == .off || sites >= 2 else { throw ValidationError("--cascade \(cascade.rawValue) needs at least two --edge") }
        guard !janus || sites == 1 else { throw ValidationError("--janus runs against one edge") }
        guard (1...200).contains(calls) else { throw ValidationError("--calls must be in 1...200") }
        guard (1...16).contains(publishers) else { throw ValidationError("--publishers must be in 1...16") }
        guard (0...200).contains(subscribers), publishers + subscribers >= 2 else {
            throw ValidationError("--subscribers must be in 0...200, with at least 2 participants per call")
        }
        guard calls * (publishers + subscribers) <= 2_000 else { throw ValidationError("at most 2000 participants") }
        guard seconds > 0, seconds <= 3_600, warmup >= 0, warmup <= 600 else {
            throw ValidationError("--seconds must be in (0, 3600] and --warmup in [0, 600]")
        }
        guard (1...16).contains(threads) else { throw ValidationError("--threads must be in 1...16") }
        guard let bitrates = videoBitrates, bitrates.count == 3, bitrates.allSatisfy({ (20_000...20_000_000).contains($0) })
        else { throw ValidationError("--video-kbps must be three bitrates in 20...20000, e.g. 150,500,1700") }
        guard (6...510).contains(audioKbps) else { throw ValidationError("--audio-kbps must be in 6...510") }
        guard (0...7).contains(janusLogLevel) else { throw ValidationError("--janus-log-level must be in 0...7") }
        guard (1_024...30_000).contains(janusPort) else { throw ValidationError("--janus-port must be in 1024...30000") }
    }

    var videoBitrates: [Int]? {
        let values = videoKbps.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)).map { $0 * 1_000 } }
        return values.allSatisfy { $0 != nil } ? values.map { $0! } : nil
    }

    /// The edges and their client hosts, from the options.
    func sites() throws -> [RTCLoadSite] {
        let urls = edges.isEmpty ? ["http://127.0.0.1:8080"] : edges
        return try urls.indices.map { index in
            guard let edge = EdgeAddress(urls[index]) else {
                throw ValidationError("--edge \(urls[index]): a host:port on loopback or in 10.77.0.0/16")
            }
            var site = RTCLoadSite(edge: edge, namespace: clientNamespaces.isEmpty ? nil : clientNamespaces[index],
                                   address: clientAddresses.isEmpty ? "127.0.0.1" : clientAddresses[index])
            site.pid = edgePIDs.isEmpty ? (site.namespace == nil ? ProcessProbe.listener(port: edge.port) : nil) : edgePIDs[index]
            if !edgeOperators.isEmpty {
                guard let address = EdgeAddress(edgeOperators[index]) else {
                    throw ValidationError("--edge-operator \(edgeOperators[index]): a host:port on loopback or in 10.77.0.0/16")
                }
                site.operatorAddress = address
            }
            return site
        }
    }

    func run() async throws {
        let sites = try sites()
        var profile = RTCLoadProfile()
        profile.videoBitrates = videoBitrates!
        profile.audioBitrate = audioKbps * 1_000
        var plan = RTCLoadPlan(calls: calls, publishers: publishers, subscribers: subscribers, seconds: seconds,
                               warmup: warmup, profile: profile)
        plan.sites = sites.count
        _ = ProcessProbe.raiseOpenFileLimit(to: plan.calls * plan.participantsPerCall * 4 + 256)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            try await run(plan, sites: sites, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func run(_ plan: RTCLoadPlan, sites: [RTCLoadSite], group: MultiThreadedEventLoopGroup) async throws {
        print(header(plan, sites: sites))

        // Users and channels through the first edge (this process's namespace must reach it).
        let setup = ChatSetup(client: RESTClient(group: MultiThreadedEventLoopGroup.singleton), edges: [sites[0].edge],
                              runID: String(UInt32.random(in: 0...UInt32.max), radix: 36), concurrency: 8)
        let modes: [Bool] = switch cascade { case .off: [false]; case .on: [true]; case .both: [false, true] }
        let tokens = try await setup.signUp(plan.calls * plan.participantsPerCall * modes.count)
        let servers = sites.map { site in
            var server = RTCLoadServer(pid: site.pid)
            if let address = site.operatorAddress { server.metrics = { await Self.metrics(operator: address) } }
            return server
        }
        var results: [RTCLoadResult] = []
        for (round, cascading) in modes.enumerated() {
            let plan = { var plan = plan; plan.cascade = cascading; return plan }()
            let channels = try await setup.createChannels(plan.calls, token: tokens[0])
            let result = try await RTCLoadRun.run(plan: plan, servers: servers, group: group) { call, slot in
                try await StreamLyRTCSignaling.join(
                    site: sites[plan.site(call: call, slot: slot)],
                    token: tokens[(round * plan.calls + call) * plan.participantsPerCall + slot], channel: channels[call])
            }
            let name = sites.count == 1 ? "StreamLy edge (pid \(sites[0].pid.map(String.init) ?? "unknown"))"
                : "StreamLy, \(sites.count) edges, " + (cascading ? "cascade (each call on every edge)" : "no cascade (each call on one edge)")
            print(RTCLoadReport.describe(result, server: name))
            if sites.count > 1 { print(RTCLoadReport.describeSites(result, sites: sites)) }
            if json { print(RTCLoadReport.json(result, server: "streamly")) }
            results.append(result)
        }
        if results.count == 2 { print(RTCLoadReport.compareCascade(without: results[0], with: results[1])) }

        guard janus, let streamly = results.first else { return }
        let janusResult = try await JanusProcess.with(binary: janusBinary, basePort: janusPort, debugLevel: janusLogLevel) { janus in
            try await RTCLoadRun.run(plan: plan, servers: [RTCLoadServer(pid: janus.pid)], group: group) { call, slot in
                try await JanusVideoRoomSignaling.join(janus: janus, room: call + 1, participant: slot,
                                                       publishes: slot < plan.publishers,
                                                       firstFeed: call * plan.publishers)
            }
        }
        print(RTCLoadReport.describe(janusResult, server: "Janus VideoRoom"))
        if json { print(RTCLoadReport.json(janusResult, server: "janus")) }
        print(RTCLoadReport.compare(streamly, janusResult))
    }

    /// The edge's `/metrics` page.
    static func metrics(operator address: EdgeAddress) async -> String? {
        let client = RESTClient(group: MultiThreadedEventLoopGroup.singleton)
        guard let (status, body) = try? await client.send(.GET, "/metrics", on: address, body: Data(), token: nil), status == 200
        else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    func header(_ plan: RTCLoadPlan, sites: [RTCLoadSite]) -> String {
        let rates = plan.profile.packetRates.map { String(format: "%.0f", $0) }.joined(separator: "/")
        return """
            streamly-load rtc · \(Date().formatted(.iso8601)) · \(ProcessInfo.processInfo.activeProcessorCount) cores · \
            1-min load average at start \(ProtoBenchmark.loadAverage())
            \(plan.calls) calls × (\(plan.publishers) publishers + \(plan.subscribers) subscribers); each publisher sends \
            Opus \(plan.profile.audioBitrate / 1_000) kbit/s + VP8 q/h/f \(plan.profile.videoBitrates.map { "\($0 / 1_000)" }.joined(separator: "/")) kbit/s \
            (\(rates) packets/s); \(Int(plan.seconds)) s measured after \(Int(plan.warmup)) s warm-up; \
            expected forwarding \(String(format: "%.0f", plan.expectedForwardingRate)) packets/s\
            \(sites.count == 1 ? "" : "; edges: " + sites.map { "\($0.edge) (clients \($0.namespace ?? "here") \($0.address))" }.joined(separator: ", "))
            """
    }
}
