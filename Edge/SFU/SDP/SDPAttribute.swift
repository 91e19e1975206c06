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
