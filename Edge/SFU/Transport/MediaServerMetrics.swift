import CoreMetrics

/// The media transport's metrics (swift-metrics, exported by the edge's Prometheus registry).
/// Created once per `MediaServer`; every handle is thread-safe. Reasons are a small fixed
/// set, so the labelled handles are made on first use and kept.
final class MediaServerMetrics: Sendable {
    let factory: any MetricsFactory
    let transports: Gauge
    let transportsCreated: Counter
    let transportsConnected: Counter
    let packetsInRTP: Counter
    let packetsInRTCP: Counter
    let packetsOutRTP: Counter
    let packetsOutRTCP: Counter
    let bytesIn: Counter
    let bytesOut: Counter
    let stunResponses: Counter
    let srtpInFailures: Counter
    let srtpOutFailures: Counter

    /// - Parameter factory: where the metrics go; the process-wide `MetricsSystem` by default.
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        transports = Gauge(label: "streamly_rtc_transports", factory: factory)
        transportsCreated = Counter(label: "streamly_rtc_transports_created_total", factory: factory)
        transportsConnected = Counter(label: "streamly_rtc_transports_connected_total", factory: factory)
        packetsInRTP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "in"), ("kind", "rtp")], factory: factory)
        packetsInRTCP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "in"), ("kind", "rtcp")], factory: factory)
        packetsOutRTP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "out"), ("kind", "rtp")], factory: factory)
        packetsOutRTCP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "out"), ("kind", "rtcp")], factory: factory)
        bytesIn = Counter(label: "streamly_rtc_bytes_total", dimensions: [("direction", "in")], factory: factory)
        bytesOut = Counter(label: "streamly_rtc_bytes_total", dimensions: [("direction", "out")], factory: factory)
        stunResponses = Counter(label: "streamly_rtc_stun_responses_total", factory: factory)
        srtpInFailures = Counter(label: "streamly_rtc_srtp_failures_total", dimensions: [("direction", "in")], factory: factory)
        srtpOutFailures = Counter(label: "streamly_rtc_srtp_failures_total", dimensions: [("direction", "out")], factory: factory)
    }

    /// STUN messages dropped, by `IceLiteStateMachine.DropReason` or server-level reason.
    func stunDropped(_ reason: String) {
        Counter(label: "streamly_rtc_stun_dropped_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// Datagrams dropped before reaching a transport (unknown address, unknown kind, …).
    func datagramDropped(_ reason: String) {
        Counter(label: "streamly_rtc_datagrams_dropped_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// Transports closed, by `TransportCloseReason.code`.
    func transportClosed(_ reason: TransportCloseReason) {
        Counter(label: "streamly_rtc_transports_closed_total", dimensions: [("reason", reason.code)], factory: factory).increment()
        if reason.code == "dtls-failed" || reason.code == "fingerprint-mismatch" {
            Counter(label: "streamly_rtc_dtls_failures_total", dimensions: [("reason", reason.code)], factory: factory).increment()
        }
    }
}
