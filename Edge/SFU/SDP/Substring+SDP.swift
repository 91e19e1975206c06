/// Small text helpers of the SDP parser.
extension Substring {
    /// Whitespace-separated fields (SDP separates with single spaces; tolerate more).
    var sdpFields: [Substring] {
        split(separator: " ", omittingEmptySubsequences: true)
    }

    /// Without leading and trailing spaces.
    var trimmingSpaces: Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
