import Foundation

/// The parts of an HLS playlist (RFC 8216) the pipeline tests check.
struct HLSPlaylist: Sendable {
    /// `#EXT-X-STREAM-INF` attributes (§4.3.4.2) and the URI on the next line.
    struct Variant: Sendable {
        var attributes: [String: String]
        var uri: String
    }

    var lines: [String]
    var variants: [Variant] = []
    /// `#EXTINF` durations (§4.3.2.1), in order, and the segment URIs.
    var durations: [Double] = []
    var segments: [String] = []
    /// `#EXT-X-MAP:URI` (§4.3.2.5).
    var initSegment: String?

    init(_ text: String) {
        lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        var pendingVariant: [String: String]?
        for line in lines where !line.isEmpty {
            if line.hasPrefix("#EXT-X-STREAM-INF:") {
                pendingVariant = Self.attributes(String(line.dropFirst("#EXT-X-STREAM-INF:".count)))
            } else if line.hasPrefix("#EXTINF:") {
                let value = line.dropFirst("#EXTINF:".count).split(separator: ",", omittingEmptySubsequences: false).first ?? ""
                durations.append(Double(value) ?? -1)
            } else if line.hasPrefix("#EXT-X-MAP:") {
                initSegment = Self.attributes(String(line.dropFirst("#EXT-X-MAP:".count)))["URI"]
            } else if !line.hasPrefix("#") {
                if let attributes = pendingVariant {
                    variants.append(Variant(attributes: attributes, uri: line))
                    pendingVariant = nil
                } else {
                    segments.append(line)
                }
            }
        }
    }

    /// An attribute list (§4.2): `NAME=value` pairs separated by commas outside quotes; quotes removed.
    static func attributes(_ list: String) -> [String: String] {
        var result: [String: String] = [:]
        var name = "", value = "", inValue = false, quoted = false
        func flush() {
            if !name.isEmpty { result[name] = value }
            name = ""; value = ""; inValue = false
        }
        for character in list {
            switch character {
            case "\"": quoted.toggle()
            case "," where !quoted: flush()
            case "=" where !inValue: inValue = true
            default: if inValue { value.append(character) } else { name.append(character) }
            }
        }
        flush()
        return result
    }
}
