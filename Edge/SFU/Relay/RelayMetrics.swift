import CoreMetrics

/// The relay's metrics: links, relayed tracks in (remote tracks received, one copy each per
/// edge whatever the number of local subscribers) and out (local tracks sent, one copy per peer
/// edge that needs them), packets and bytes each way, datagrams refused.
final class RelayMetrics: Sendable {
    let factory: any MetricsFactory
    let links: Meter
    let tracksIn: Meter
    let tracksOut: Meter
    let packetsIn: Counter
    let packetsOut: Counter
    let bytesIn: Counter
    let bytesOut: Counter
    let expired: Counter

    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        links = Meter(label: "streamly_rtc_relay_links", factory: factory)
        tracksIn = Meter(label: "streamly_rtc_relay_tracks", dimensions: [("direction", "in")], factory: factory)
        tracksOut = Meter(label: "streamly_rtc_relay_tracks", dimensions: [("direction", "out")], factory: factory)
        packetsIn = Counter(label: "streamly_rtc_relay_packets_total", dimensions: [("direction", "in")], factory: factory)
        packetsOut = Counter(label: "streamly_rtc_relay_packets_total", dimensions: [("direction", "out")], factory: factory)
        bytesIn = Counter(label: "streamly_rtc_relay_bytes_total", dimensions: [("direction", "in")], factory: factory)
        bytesOut = Counter(label: "streamly_rtc_relay_bytes_total", dimensions: [("direction", "out")], factory: factory)
        expired = Counter(label: "streamly_rtc_relay_expired_total", factory: factory)
    }

    /// Datagrams the relay socket refused, by reason (a small fixed set).
    func dropped(_ reason: String) {
        Counter(label: "streamly_rtc_relay_dropped_total", dimensions: [("reason", reason)], factory: factory).increment()
    }
}
