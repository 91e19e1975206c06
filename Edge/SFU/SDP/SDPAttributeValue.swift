/// A typed attribute value (`a=<name>:<value>`) that parses from and prints to its SDP text.
/// `init?(sdpValue:)` returns nil for malformed text; the parser turns that into an
/// `SDPParseError` with `.badAttribute`.
public protocol SDPAttributeValue: Hashable, Sendable {
    init?(sdpValue: Substring)
    var sdpValue: String { get }
}

/// An attribute kept verbatim: the ones this module does not interpret (`a=rtcp`, `a=rtcp-xr`,
/// `a=msid-semantic`, `a=ice-options`, …). `value` is everything after the first `:`, nil for
/// a flag attribute.
public struct SDPAttribute: Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// `name` or `name:value`.
    public var line: String {
        value.map { "\(name):\($0)" } ?? name
    }
}

extension Substring {
    /// Whitespace-separated fields (SDP separates with single spaces; tolerate more).
    var sdpFields: [Substring] {
        split(separator: " ", omittingEmptySubsequences: true)
    }
}
