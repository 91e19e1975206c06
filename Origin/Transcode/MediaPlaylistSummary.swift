import Foundation

/// Segment durations and sizes of one rendition, read back from the HLS muxer's media playlist,
/// and the bit rates the master playlist advertises (RFC 8216 §4.3.4.2). Pure.
struct MediaPlaylistSummary: Hashable, Sendable {
    struct Segment: Hashable, Sendable {
        var uri: String
        var duration: Double
        var bytes: Int
    }

    var segments: [Segment]
    /// The `EXT-X-MAP` URI, if any.
    var initURI: String?
    var targetDuration: Double

    /// Parses `#EXT-X-TARGETDURATION`, `#EXT-X-MAP:URI="…"` and `#EXTINF:d,` + URI lines;
    /// `size` gives each segment's byte count (nil when the file is missing).
    static func parse(_ text: String, size: (String) -> Int?) -> MediaPlaylistSummary {
        var summary = MediaPlaylistSummary(segments: [], initURI: nil, targetDuration: 0)
        var pendingDuration: Double?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#EXTINF:") {
                let value = line.dropFirst("#EXTINF:".count).prefix { $0 != "," }
                pendingDuration = Double(value)
            } else if line.hasPrefix("#EXT-X-TARGETDURATION:") {
                summary.targetDuration = Double(line.dropFirst("#EXT-X-TARGETDURATION:".count)) ?? 0
            } else if line.hasPrefix("#EXT-X-MAP:") {
                if let range = line.range(of: "URI=\""), let end = line[range.upperBound...].firstIndex(of: "\"") {
                    summary.initURI = String(line[range.upperBound..<end])
                }
            } else if !line.hasPrefix("#"), !line.isEmpty, let duration = pendingDuration {
                summary.segments.append(Segment(uri: line, duration: duration, bytes: size(line) ?? 0))
                pendingDuration = nil
            }
        }
        return summary
    }

    /// Total duration in seconds.
    var duration: Double { segments.reduce(0) { $0 + $1.duration } }

    /// `AVERAGE-BANDWIDTH`: all segment bits over the total duration.
    var averageBandwidth: Int {
        let duration = duration
        guard duration > 0 else { return 0 }
        return Int((Double(segments.reduce(0) { $0 + $1.bytes }) * 8 / duration).rounded())
    }

    /// `BANDWIDTH`: the peak segment bit rate, the largest rate over runs of contiguous segments
    /// lasting between 0.5 and 1.5 × the target duration (RFC 8216 §4.3.4.2); a rendition with
    /// no such run (e.g. shorter than half a target) uses its whole length.
    var peakBandwidth: Int {
        let target = targetDuration > 0 ? targetDuration : (segments.map(\.duration).max() ?? 0)
        var peak = 0.0
        for first in segments.indices {
            var duration = 0.0
            var bytes = 0
            for segment in segments[first...] {
                duration += segment.duration
                bytes += segment.bytes
                if duration > target * 1.5 { break }
                if duration >= target * 0.5, duration > 0 { peak = max(peak, Double(bytes) * 8 / duration) }
            }
        }
        if peak == 0 { return averageBandwidth }
        return Int(peak.rounded())
    }
}
