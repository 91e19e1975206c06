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
    /// Relayed packets/s each site should have sent: one copy of each needed layer per remote
    /// site, from what its publishers sent in the window.
    var relayNeeded: [Double] = []
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
