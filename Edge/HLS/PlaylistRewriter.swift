import NIOCore

/// Carries a playback token onward in an HLS playlist (RFC 8216 §4): every relative URI, on a
/// URI line or in a tag's `URI="…"` attribute (EXT-X-MAP, EXT-X-MEDIA, …), gets `token=…` in
/// its query, so players that resolve relative URIs (ffprobe, hls.js, streamlink) present it
/// on every rendition playlist and segment. Absolute URIs are left alone: the token is for
/// this edge only.
enum PlaylistRewriter {
    static func rewrite(_ playlist: ByteBuffer, token: String) -> ByteBuffer {
        let text = String(buffer: playlist)
        var out = ""
        out.reserveCapacity(text.utf8.count + 64 * (token.utf8.count + 7))
        var first = true
        // Split on U+000A scalars: as Characters, "\r\n" is one grapheme and would not match "\n".
        for scalars in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            if !first { out += "\n" }
            first = false
            out += rewriteLine(Substring(scalars), token: token)
        }
        return ByteBuffer(string: out)
    }

    static func rewriteLine(_ line: Substring, token: String) -> String {
        let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
        let ending = line.hasSuffix("\r") ? "\r" : ""
        if trimmed.trimmingSpaces.isEmpty { return String(line) }
        if trimmed.hasPrefix("#") {
            guard trimmed.contains("URI=\"") else { return String(line) }
            var result = ""
            var rest = trimmed[...]
            while let range = rest.range(of: "URI=\"") {
                result += rest[..<range.upperBound]
                rest = rest[range.upperBound...]
                guard let close = rest.firstIndex(of: "\"") else { break }
                result += withToken(rest[..<close], token: token)
                rest = rest[close...]
            }
            return result + rest + ending
        }
        return withToken(trimmed, token: token) + ending
    }

    /// `uri` with `token=` appended to its query, if it is relative.
    static func withToken(_ uri: Substring, token: String) -> String {
        if uri.contains("://") || uri.hasPrefix("//") || uri.hasPrefix("data:") { return String(uri) }
        var base = String(uri)
        var fragment = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = String(base[hash...])
            base = String(base[..<hash])
        }
        return base + (base.contains("?") ? "&" : "?") + "token=" + token + fragment
    }
}
