import Metrics

/// One listener's connection metrics, made once per listener (docs/configuration.md, "Metrics"):
/// `streamly_connections_open`, `streamly_connections_refused_total{reason}` and
/// `streamly_connections_timed_out_total{phase}`, each labelled `listener`.
public struct ListenerMetrics: Sendable {
    public let listener: String
    let open: Meter
    let refusedTotal: Counter
    let refusedPerAddress: Counter

    public init(listener: String) {
        self.listener = listener
        open = Meter(label: "streamly_connections_open", dimensions: [("listener", listener)])
        refusedTotal = Counter(label: "streamly_connections_refused_total", dimensions: [("listener", listener), ("reason", "total")])
        refusedPerAddress = Counter(label: "streamly_connections_refused_total",
                                    dimensions: [("listener", listener), ("reason", "per-address")])
    }

    /// The counter of connections closed because `phase` (`tls-handshake`, `request-header`)
    /// did not finish in time.
    public func timedOut(_ phase: String) -> Counter {
        Counter(label: "streamly_connections_timed_out_total", dimensions: [("listener", listener), ("phase", phase)])
    }
}
