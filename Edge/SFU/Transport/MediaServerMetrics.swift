import CoreMetrics

/// The media transport's metrics (swift-metrics, exported by the edge's Prometheus registry).
/// Created once per `MediaServer`; every handle is thread-safe.
final class MediaServerMetrics: Sendable {
    let transports = Gauge(label: "streamly_rtc_transports")
    let transportsCreated = Counter(label: "streamly_rtc_transports_created_total")
    let transportsConnected = Counter(label: "streamly_rtc_transports_connected_total")
    let packetsInRTP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "in"), ("kind", "rtp")])
    let packetsInRTCP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "in"), ("kind", "rtcp")])
    let packetsOutRTP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "out"), ("kind", "rtp")])
    let packetsOutRTCP = Counter(label: "streamly_rtc_packets_total", dimensions: [("direction", "out"), ("kind", "rtcp")])
    let bytesIn = Counter(label: "streamly_rtc_bytes_total", dimensions: [("direction", "in")])
    let bytesOut = Counter(label: "streamly_rtc_bytes_total", dimensions: [("direction", "out")])
    let stunResponses = Counter(label: "streamly_rtc_stun_responses_total")
    let srtpInFailures = Counter(label: "streamly_rtc_srtp_failures_total", dimensions: [("direction", "in")])
    let srtpOutFailures = Counter(label: "streamly_rtc_srtp_failures_total", dimensions: [("direction", "out")])

    /// STUN messages dropped, by `IceLiteStateMachine.DropReason` or server-level reason.
    func stunDropped(_ reason: String) {
        Counter(label: "streamly_rtc_stun_dropped_total", dimensions: [("reason", reason)]).increment()
    }

    /// Datagrams dropped before reaching a transport (unknown address, unknown kind, …).
    func datagramDropped(_ reason: String) {
        Counter(label: "streamly_rtc_datagrams_dropped_total", dimensions: [("reason", reason)]).increment()
    }

    /// Transports closed, by `TransportCloseReason.code`.
    func transportClosed(_ reason: TransportCloseReason) {
        Counter(label: "streamly_rtc_transports_closed_total", dimensions: [("reason", reason.code)]).increment()
        if reason.code == "dtls-failed" || reason.code == "fingerprint-mismatch" {
            Counter(label: "streamly_rtc_dtls_failures_total", dimensions: [("reason", reason.code)]).increment()
        }
    }
}
