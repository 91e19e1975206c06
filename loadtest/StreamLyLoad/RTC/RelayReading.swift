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
