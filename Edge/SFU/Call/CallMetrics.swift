import Metrics

/// The SFU's Prometheus metrics (swift-metrics), shared by all calls of an edge. The packet
/// path never touches them: each call counts in plain integers (`CallCounters`) and flushes
/// here once a second.
public final class SFUMetrics: Sendable {
    let calls: Meter
    let participants: Meter
    let packetsForwarded: Counter
    let bytesForwarded: Counter
    let nacksSent: Counter
    let retransmissions: Counter
    let keyframeRequests: Counter
    let layerSwitches: Counter
    /// Padding packets sent in place of sequence numbers a slot's previous track left unsent.
    let paddingFills: Counter
    /// Transport-cc feedback packets received from subscribers / sent to publishers.
    let transportFeedbackReceived: Counter
    let transportFeedbackSent: Counter
    /// Added forwarding latency: the call receiving the decrypted packet from `pub` → the copy for
    /// one subscriber protected and queued on the socket; sampled 1 packet in 8.
    let forwardingLatency: Metrics.Timer

    /// - Parameter factory: where the metrics go; the process-wide `MetricsSystem` by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        calls = Meter(label: "streamly_rtc_calls", factory: factory)
        participants = Meter(label: "streamly_rtc_participants", factory: factory)
        packetsForwarded = Counter(label: "streamly_rtc_forwarded_packets_total", factory: factory)
        bytesForwarded = Counter(label: "streamly_rtc_forwarded_bytes_total", factory: factory)
        nacksSent = Counter(label: "streamly_rtc_nacks_sent_total", factory: factory)
        retransmissions = Counter(label: "streamly_rtc_retransmissions_total", factory: factory)
        keyframeRequests = Counter(label: "streamly_rtc_keyframe_requests_total", factory: factory)
        layerSwitches = Counter(label: "streamly_rtc_layer_switches_total", factory: factory)
        paddingFills = Counter(label: "streamly_rtc_padding_fills_total", factory: factory)
        transportFeedbackReceived = Counter(label: "streamly_rtc_transport_feedback_total",
                                            dimensions: [("direction", "received")], factory: factory)
        transportFeedbackSent = Counter(label: "streamly_rtc_transport_feedback_total",
                                        dimensions: [("direction", "sent")], factory: factory)
        forwardingLatency = Metrics.Timer(label: "streamly_rtc_forwarding_latency_seconds", dimensions: [],
                                          preferredDisplayUnit: .seconds, factory: factory)
    }
}

/// One call's counters between two flushes (plain integers: the packet path's only bookkeeping).
struct CallCounters {
    var packets = 0
    var bytes = 0
    var nacks = 0
    var retransmissions = 0
    var keyframeRequests = 0
    var layerSwitches = 0
    var paddingFills = 0
    var feedbackReceived = 0
    var feedbackSent = 0
    var latencySamples: [UInt64]
    var latencyCount = 0
    private var sampleTick: UInt8 = 0

    init() {
        latencySamples = Array(repeating: 0, count: 256)
    }

    /// Counts a forwarded packet; true when its latency should be sampled (1 in 8, at most
    /// 256 per flush), so the clock is read only then.
    mutating func forwarded(bytes: Int) -> Bool {
        packets &+= 1
        self.bytes &+= bytes
        sampleTick &+= 1
        return sampleTick & 7 == 0 && latencyCount < latencySamples.count
    }

    mutating func sampleLatency(_ nanoseconds: UInt64) {
        guard latencyCount < latencySamples.count else { return }
        latencySamples[latencyCount] = nanoseconds
        latencyCount += 1
    }

    mutating func nacksSent(_ count: Int) { nacks &+= count }
    mutating func retransmitted() { retransmissions &+= 1 }
    mutating func keyframeRequested() { keyframeRequests &+= 1 }
    mutating func layerSwitched() { layerSwitches &+= 1 }
    mutating func paddingFilled(_ count: Int) { paddingFills &+= count }
    mutating func transportFeedbackReceived() { feedbackReceived &+= 1 }
    mutating func transportFeedbackSent(_ count: Int) { feedbackSent &+= count }

    mutating func flush(to metrics: SFUMetrics) {
        if packets > 0 { metrics.packetsForwarded.increment(by: packets) }
        if bytes > 0 { metrics.bytesForwarded.increment(by: bytes) }
        if nacks > 0 { metrics.nacksSent.increment(by: nacks) }
        if retransmissions > 0 { metrics.retransmissions.increment(by: retransmissions) }
        if keyframeRequests > 0 { metrics.keyframeRequests.increment(by: keyframeRequests) }
        if layerSwitches > 0 { metrics.layerSwitches.increment(by: layerSwitches) }
        if paddingFills > 0 { metrics.paddingFills.increment(by: paddingFills) }
        if feedbackReceived > 0 { metrics.transportFeedbackReceived.increment(by: feedbackReceived) }
        if feedbackSent > 0 { metrics.transportFeedbackSent.increment(by: feedbackSent) }
        for index in 0..<latencyCount { metrics.forwardingLatency.recordNanoseconds(Int64(latencySamples[index])) }
        packets = 0
        bytes = 0
        nacks = 0
        retransmissions = 0
        keyframeRequests = 0
        layerSwitches = 0
        paddingFills = 0
        feedbackReceived = 0
        feedbackSent = 0
        latencyCount = 0
    }
}
