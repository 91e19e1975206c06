import NIOCore
import NIOPosix
import StreamLySFUNative

/// What `streamly-load rtc` offers: N calls of P publishers (who also receive the others) and
/// S receive-only subscribers.
struct RTCLoadPlan: Sendable {
    var calls: Int
    var publishers: Int
    var subscribers: Int
    var seconds: Double
    var warmup: Double
    var profile: RTCLoadProfile

    /// Edges the participants are spread over, and how: `cascade` puts a call's participants
    /// on the edges in turn (slot s of call c on edge (c + s) mod edges, so every call spans
    /// the edges and its tracks cross the relay); otherwise a call's participants are all on
    /// edge c mod edges.
    var sites = 1
    var cascade = false

    var participantsPerCall: Int { publishers + subscribers }

    func site(call: Int, slot: Int) -> Int { cascade ? (call + slot) % sites : call % sites }

    /// How many other sites host participants of the calls `site` hosts a publisher of (the
    /// remote edges its relay sends to, counted once each).
    func remoteSites(of site: Int) -> Int {
        var remote = Set<Int>()
        for call in 0..<calls where (0..<publishers).contains(where: { self.site(call: call, slot: $0) == site }) {
            for slot in 0..<participantsPerCall where self.site(call: call, slot: slot) != site {
                remote.insert(self.site(call: call, slot: slot))
            }
        }
        return remote.count
    }

    /// Relayed packets/s each site should send: one copy of each local publisher's audio and
    /// top video layer (what every receiver takes with no downlink limit) to each other site
    /// hosting a participant of its call.
    var expectedRelayRates: [Double] {
        let rates = profile.packetRates
        var expected = [Double](repeating: 0, count: sites)
        for call in 0..<calls {
            let hosting = Set((0..<participantsPerCall).map { site(call: call, slot: $0) })
            for slot in 0..<publishers {
                let here = site(call: call, slot: slot)
                expected[here] += Double(hosting.subtracting([here]).count) * (rates[0] + rates[3])
            }
        }
        return expected
    }
    /// Stream tags of the run (4 per publisher).
    var tags: Int { calls * publishers * 4 }
    /// Packets/s the SFU should forward: every participant gets every other publisher's audio
    /// and one video layer (the highest, f, with no downlink limit).
    var expectedForwardingRate: Double {
        let rates = profile.packetRates
        let receivers = Double(publishers - 1 + subscribers)
        return Double(calls * publishers) * receivers * (rates[0] + rates[3])
    }
}

/// A server of the run (an edge, or Janus): its process for CPU and RSS from `/proc`, and for
/// StreamLy's edges its `/metrics` page (forwarding time, relay counters).
struct RTCLoadServer: Sendable {
    var pid: Int32?
    var metrics: (@Sendable () async -> String?)?
}

/// One run of the plan against one SFU (StreamLy's edges or Janus), through `join`, which
/// signs one participant into its call: join all, publish, start the media, subscribe all,
/// measure over the window, stop. `servers`: one per site of the plan.
enum RTCLoadRun {
    static func run(plan: RTCLoadPlan, servers: [RTCLoadServer], group: any EventLoopGroup,
                    join: @escaping @Sendable (_ call: Int, _ participant: Int) async throws -> any RTCLoadSignaling)
        async throws -> RTCLoadResult
    {
        let certificate = try SelfSignedCertificate()
        let loops = Array(group.makeIterator())
        let rssBefore = servers.map { $0.pid.flatMap(ProcessProbe.residentBytes) }

        // Join, then publish, call by call in parallel (participants of a call in order); each
        // participant's join (WebSocket, `rtc.join`) and publish (offer → DTLS-SRTP up) timed.
        let joins = try await perCall(plan) { call in
            var joined: [(RTCLoadParticipant, JoinTime)] = []
            for slot in 0..<plan.participantsPerCall {
                let index = call * plan.participantsPerCall + slot
                let start = ContinuousClock.now
                let signaling = try await join(call, slot)
                joined.append((RTCLoadParticipant(
                    call: call, publisherIndex: slot < plan.publishers ? call * plan.publishers + slot : nil,
                    loop: loops[index % loops.count], signaling: signaling, certificate: certificate,
                    tags: plan.tags), JoinTime(site: plan.site(call: call, slot: slot), join: start.duration(to: .now))))
            }
            for index in joined.indices {
                let start = ContinuousClock.now
                try await joined[index].0.publish(profile: plan.profile)
                if joined[index].0.publisherIndex != nil { joined[index].1.publish = start.duration(to: .now) }
            }
            return joined
        }.flatMap { $0 }
        let participants = joins.map(\.0)

        // Media: one 5 ms timer per loop sends what each of its publishers owes.
        var senders: [RepeatedTask] = []
        for (index, loop) in loops.enumerated() {
            let peers = participants.enumerated().filter { $0.offset % loops.count == index }.compactMap { $0.element.publisher }
            senders.append(try await loop.submit {
                loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(5)) { _ in
                    let now = nowNanos()
                    for peer in peers { peer.value.media.sendDue(now: now, through: peer.value) }
                }
            }.get())
        }

        var failures: [String] = []
        do {
            _ = try await perCall(plan) { call in
                let publishers = (0..<plan.publishers).map { call * plan.publishers + $0 }
                for participant in participants where participant.call == call {
                    try await participant.subscribe(to: publishers.filter { $0 != participant.publisherIndex })
                }
                return [Int]()
            }

            let window = MeasurementWindow(warmup: plan.warmup, seconds: plan.seconds)
            for participant in participants {
                try await participant.loop.submit {
                    participant.publisher?.value.media.window = window
                    participant.subscriber?.value.media.window = window
                }.get()
            }
            try await Task.sleep(for: .seconds(plan.warmup))
            let pagesStart = await metricPages(servers)
            let cpuStart = servers.map { $0.pid.flatMap(ProcessProbe.cpuSeconds) }
            try await Task.sleep(for: .seconds(plan.seconds))
            let cpuEnd = servers.map { $0.pid.flatMap(ProcessProbe.cpuSeconds) }
            let pagesEnd = await metricPages(servers)
            let rssLoaded = servers.map { $0.pid.flatMap(ProcessProbe.residentBytes) }
            for sender in senders { sender.cancel() }
            try await Task.sleep(for: .seconds(1))  // the window's tail drains

            var result = RTCLoadResult(plan: plan, window: window.seconds)
            result.joins = joins.map(\.1)
            for index in servers.indices {
                var server = RTCLoadResult.Server()
                if let start = cpuStart[index], let end = cpuEnd[index] { server.cpuSeconds = end - start }
                if let before = rssBefore[index], let loaded = rssLoaded[index] { server.rssGrowth = loaded - before }
                if let start = pagesStart[index], let end = pagesEnd[index] {
                    if let first = ForwardingHistogram.parse(start), let last = ForwardingHistogram.parse(end),
                       last.count > first.count {
                        server.forwarding = last.since(first)
                    }
                    server.relay = RelayReading(end).since(RelayReading(start))
                }
                result.servers.append(server)
            }
            try await collect(participants, plan: plan, into: &result)
            failures = participants.compactMap(\.subscribeError)
            result.failures = failures
            for participant in participants { await participant.stop() }
            return result
        } catch {
            for sender in senders { sender.cancel() }
            for participant in participants { await participant.stop() }
            throw error
        }
    }

    /// Sums what the publishers sent and the receivers got (on their loops) into `result`.
    private static func collect(_ participants: [RTCLoadParticipant], plan: RTCLoadPlan,
                                into result: inout RTCLoadResult) async throws {
        var sent = Array(repeating: 0, count: plan.tags)
        for participant in participants {
            guard let publisher = participant.publisher else { continue }
            let (streams, requests) = try await participant.loop.submit {
                (publisher.value.media.streams.map { ($0.tag, $0.sentInWindow) }, publisher.value.media.keyframeRequests)
            }.get()
            for (tag, count) in streams { sent[Int(tag)] += count }
            result.keyframeRequests += requests
        }
        result.sentPackets = sent.reduce(0, +)
        for participant in participants {
            guard let subscriber = participant.subscriber else { continue }
            let (received, latencies, packets, bytes) = try await participant.loop.submit {
                let media = subscriber.value.media
                return (media.receivedInWindow, media.latencies, media.packets, media.bytes)
            }.get()
            result.latencies.add(latencies)
            result.totalPackets += packets
            result.totalBytes += bytes
            // Expected: each other publisher's audio, and the video layer this receiver got
            // most of (the forwarder switches only on keyframes; none at all: the top layer).
            for publisher in (0..<plan.publishers).map({ participant.call * plan.publishers + $0 })
            where publisher != participant.publisherIndex {
                let audio = publisher * 4
                let layers = (1...3).map { audio + $0 }
                let best = layers.max { received[$0] < received[$1] }!
                let layer = received[best] > 0 ? best : audio + 3
                if received[best] == 0 { result.missingVideo += 1 }
                if received[audio] == 0 { result.missingAudio += 1 }
                result.expected += sent[audio] + sent[layer]
                result.received += received[audio] + layers.map { received[$0] }.reduce(0, +)
            }
        }
    }

    private static func metricPages(_ servers: [RTCLoadServer]) async -> [String?] {
        var pages: [String?] = []
        for server in servers { pages.append(await server.metrics?()) }
        return pages
    }

    /// Runs `body` for every call concurrently; results in call order.
    private static func perCall<T: Sendable>(_ plan: RTCLoadPlan, _ body: @escaping @Sendable (Int) async throws -> [T])
        async throws -> [[T]]
    {
        try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
            for call in 0..<plan.calls { group.addTask { (call, try await body(call)) } }
            var results = [[T]](repeating: [], count: plan.calls)
            for try await (call, value) in group { results[call] = value }
            return results
        }
    }
}

/// What one run measured.
struct RTCLoadResult: Sendable {
    var plan: RTCLoadPlan
    /// Seconds of the measurement window.
    var window: Double
    /// Packets the publishers sent in the window, all streams and layers.
    var sentPackets = 0
    /// Packets the receivers should have got (by send time in the window), and got.
    var expected = 0
    var received = 0
    /// Publisher → receiver pairs with no video (or audio) at all in the window.
    var missingVideo = 0
    var missingAudio = 0
    var latencies = LatencyRecorder()
    /// All packets and bytes (unprotected RTP) the receivers got, window or not.
    var totalPackets = 0
    var totalBytes = 0
    var keyframeRequests = 0
    /// Each participant's join and publish times, with its site.
    var joins: [JoinTime] = []
    /// What each server (site) measured over the window.
    var servers: [Server] = []
    var failures: [String] = []

    struct Server: Sendable {
        var cpuSeconds: Double?
        var rssGrowth: Int?
        /// The time the server itself took to forward each packet in the window (its metric).
        var forwarding: ForwardingHistogram?
        /// Its relay counters' growth over the window (the links: at its end).
        var relay: RelayReading?
    }

    /// All servers' CPU seconds over the window (nil when one could not be read).
    var serverCPUSeconds: Double? {
        let readings = servers.map(\.cpuSeconds)
        return readings.contains { $0 == nil } ? nil : readings.reduce(0) { $0 + $1! }
    }
    var serverRSSGrowth: Int? {
        let readings = servers.map(\.rssGrowth)
        return readings.contains { $0 == nil } ? nil : readings.reduce(0) { $0 + $1! }
    }
    /// What all edges' relays sent over the window, Mbit/s (nil when no relay was read).
    var relayMegabitsOut: Double? {
        let readings = servers.compactMap(\.relay)
        return readings.isEmpty ? nil : readings.reduce(0) { $0 + $1.bytesOut } * 8 / window / 1e6
    }
    /// The servers' forwarding-time histograms of the window, merged.
    var serverForwarding: ForwardingHistogram? {
        servers.compactMap(\.forwarding).reduce(nil) { merged, next in merged.map { $0.adding(next) } ?? next }
    }

    var forwardedPerSecond: Double { Double(received) / window }
    var megabitsPerSecond: Double {
        totalPackets == 0 ? 0 : forwardedPerSecond * Double(totalBytes) / Double(totalPackets) * 8 / 1e6
    }
    var lossPercent: Double { expected == 0 ? 0 : max(0, Double(expected - received)) / Double(expected) * 100 }
    /// Cores the server kept busy on average over the window.
    var serverCores: Double? { serverCPUSeconds.map { $0 / window } }
    var forwardedPerCore: Double? {
        guard let cores = serverCores, cores > 0 else { return nil }
        return forwardedPerSecond / cores
    }
    var rssPerParticipant: Double? {
        serverRSSGrowth.map { Double($0) / Double(plan.calls * plan.participantsPerCall) }
    }
}

/// A participant's join (WebSocket open + `rtc.join` answered) and, for a publisher, publish
/// (offer sent → DTLS-SRTP up) times, with the site it joined.
struct JoinTime: Sendable {
    var site: Int
    var join: Duration
    var publish: Duration?
}

/// An edge's relay counters from its `/metrics` (`streamly_rtc_relay_*`).
struct RelayReading: Sendable {
    var packetsOut = 0.0, packetsIn = 0.0, bytesOut = 0.0, bytesIn = 0.0
    /// Relay links open (a gauge).
    var links = 0.0

    init(packetsOut: Double = 0, packetsIn: Double = 0, bytesOut: Double = 0, bytesIn: Double = 0, links: Double = 0) {
        (self.packetsOut, self.packetsIn, self.bytesOut, self.bytesIn, self.links) = (packetsOut, packetsIn, bytesOut, bytesIn, links)
    }

    init(_ page: String) {
        for line in page.split(separator: "\n") where line.hasPrefix("streamly_rtc_relay_") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            switch line[..<space] {
            case #"streamly_rtc_relay_packets_total{direction="out"}"#: packetsOut = value
            case #"streamly_rtc_relay_packets_total{direction="in"}"#: packetsIn = value
            case #"streamly_rtc_relay_bytes_total{direction="out"}"#: bytesOut = value
            case #"streamly_rtc_relay_bytes_total{direction="in"}"#: bytesIn = value
            case "streamly_rtc_relay_links": links = value
            default: break
            }
        }
    }

    /// The counters' growth since `earlier`; the links as now.
    func since(_ earlier: RelayReading) -> RelayReading {
        RelayReading(packetsOut: packetsOut - earlier.packetsOut, packetsIn: packetsIn - earlier.packetsIn,
                     bytesOut: bytesOut - earlier.bytesOut, bytesIn: bytesIn - earlier.bytesIn, links: links)
    }
}
