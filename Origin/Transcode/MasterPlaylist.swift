/// Renders the multivariant (master) playlist of a ladder (RFC 8216 §4.3.4.2). Pure.
enum MasterPlaylist {
    /// `#EXT-X-VERSION:7`, `#EXT-X-INDEPENDENT-SEGMENTS`, then one `#EXT-X-STREAM-INF` per
    /// rendition, highest resolution first, each followed by `<name>/index.m3u8`.
    static func render(_ renditions: [TranscodeRendition]) -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
        let ordered = renditions.sorted { ($0.height, $0.bandwidth) > ($1.height, $1.bandwidth) }
        for rendition in ordered {
            var attributes = [
                "BANDWIDTH=\(rendition.bandwidth)",
                "AVERAGE-BANDWIDTH=\(rendition.averageBandwidth)",
                "RESOLUTION=\(rendition.width)x\(rendition.height)",
                "CODECS=\"\(rendition.codecs)\"",
            ]
            if rendition.frameRate > 0 {
                attributes.append("FRAME-RATE=" + formatFrameRate(rendition.frameRate))
            }
            lines.append("#EXT-X-STREAM-INF:" + attributes.joined(separator: ","))
            lines.append("\(rendition.name)/index.m3u8")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Three decimals, no locale: 29.97 → "29.970".
    static func formatFrameRate(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
