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

    var participantsPerCall: Int { publishers + subscribers }
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

/// One run of the plan against one SFU (StreamLy's edge or Janus), through `join`, which
/// signs one participant into its call: join all, publish, start the media, subscribe all,
/// measure over the window, stop. Server CPU and RSS come from `/proc/<serverPID>`.
enum RTCLoadRun {
    /// `forwardingTime`: the server's own forwarding-time histogram so far (StreamLy's
    /// `streamly_rtc_forwarding_latency_seconds`), read around the window.
    static func run(plan: RTCLoadPlan, serverPID: Int32?, group: any EventLoopGroup,
                    forwardingTime: (@Sendable () async -> ForwardingHistogram?)? = nil,
                    join: @escaping @Sendable (_ call: Int, _ participant: Int) async throws -> any RTCLoadSignaling)
        async throws -> RTCLoadResult
    {
        let certificate = try SelfSignedCertificate()
        let loops = Array(group.makeIterator())
        let rssBefore = serverPID.flatMap(ProcessProbe.residentBytes)

        // Join, then publish, call by call in parallel (participants of a call in order).
        let participants = try await perCall(plan) { call in
            var joined: [RTCLoadParticipant] = []
            for slot in 0..<plan.participantsPerCall {
                let index = call * plan.participantsPerCall + slot
                joined.append(RTCLoadParticipant(
                    call: call, publisherIndex: slot < plan.publishers ? call * plan.publishers + slot : nil,
                    loop: loops[index % loops.count], signaling: try await join(call, slot), certificate: certificate,
                    tags: plan.tags))
            }
            for participant in joined { try await participant.publish(profile: plan.profile) }
            return joined
        }.flatMap { $0 }

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
            let forwardingStart = await forwardingTime?()
            let cpuStart = serverPID.flatMap(ProcessProbe.cpuSeconds)
            try await Task.sleep(for: .seconds(plan.seconds))
            let cpuEnd = serverPID.flatMap(ProcessProbe.cpuSeconds)
            let forwardingEnd = await forwardingTime?()
            let rssLoaded = serverPID.flatMap(ProcessProbe.residentBytes)
            for sender in senders { sender.cancel() }
            try await Task.sleep(for: .seconds(1))  // the window's tail drains

            var result = RTCLoadResult(plan: plan, window: window.seconds)
            if let cpuStart, let cpuEnd { result.serverCPUSeconds = cpuEnd - cpuStart }
            if let rssBefore, let rssLoaded { result.serverRSSGrowth = rssLoaded - rssBefore }
            if let forwardingStart, let forwardingEnd, forwardingEnd.count > forwardingStart.count {
                result.serverForwarding = forwardingEnd.since(forwardingStart)
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
    var serverCPUSeconds: Double?
    var serverRSSGrowth: Int?
    /// The time the server itself took to forward each packet in the window (its metric).
    var serverForwarding: ForwardingHistogram?
    var failures: [String] = []

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
