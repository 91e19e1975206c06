/// A typed attribute or line value (`a=<name>:<value>`, `o=`, `c=`) that parses from and prints
/// to its SDP text.
/// `init?(sdpValue:)` returns nil for malformed text; the parser turns that into an
/// `SDPParseError` with `.badAttribute`.
public protocol SDPAttributeValue: Hashable, Sendable {
    init?(sdpValue: Substring)
    var sdpValue: String { get }
}
