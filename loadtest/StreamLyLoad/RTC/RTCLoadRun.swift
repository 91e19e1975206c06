import NIOCore
import NIOPosix
import StreamLySFUNative

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
        // What each site's relay should send: one copy of each local publisher's audio and top
        // layer (what every receiver takes without a downlink limit) per other site in its call,
        // from what the publishers sent in the window.
        result.relayNeeded = Array(repeating: 0, count: plan.sites)
        for call in 0..<plan.calls {
            for slot in 0..<plan.publishers {
                let site = plan.site(call: call, slot: slot), audio = (call * plan.publishers + slot) * 4
                result.relayNeeded[site] += Double((sent[audio] + sent[audio + 3]) * plan.remoteSites(ofCall: call, from: site))
                    / result.window
            }
        }
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
