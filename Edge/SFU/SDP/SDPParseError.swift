/// Why a text was not a usable session description (RFC 8866 §5, §9). The signaling layer turns
/// it into an `error` event carrying `reason`.
public struct SDPParseError: Error, Hashable, Sendable {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A line that is not `<letter>=<value>`.
        public static let badLine = Code(rawValue: "bad-line")
        /// The first line is not `v=0`.
        public static let badVersion = Code(rawValue: "bad-version")
        /// A required session line (`o=`, `s=`, `t=`) is missing.
        public static let missingLine = Code(rawValue: "missing-line")
        /// `o=`, `c=` or `m=` does not have its fields.
        public static let badField = Code(rawValue: "bad-field")
        /// A known attribute whose value does not parse (`a=rtpmap:x`).
        public static let badAttribute = Code(rawValue: "bad-attribute")
    }

    public var code: Code
    /// 1-based line number, 0 when the problem is not tied to a line.
    public var line: Int
    public var reason: String

    public init(_ code: Code, line: Int, _ reason: String) {
        self.code = code
        self.line = line
        self.reason = reason
    }
}
