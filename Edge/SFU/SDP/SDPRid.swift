/// `a=rid:<id> <send|recv> [<restrictions>]` (RFC 8851 §4): one simulcast encoding.
public struct SDPRid: Hashable, Sendable, SDPAttributeValue {
    public struct Direction: Hashable, Sendable, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let send = Direction(rawValue: "send")
        public static let recv = Direction(rawValue: "recv")
    }

    public var id: String
    public var direction: Direction
    /// `pt=…;max-width=…` etc., verbatim.
    public var restrictions: String?

    public init(id: String, direction: Direction, restrictions: String? = nil) {
        self.id = id
        self.direction = direction
        self.restrictions = restrictions
    }

    public init?(sdpValue: Substring) {
        let fields = sdpValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2, fields[1] == "send" || fields[1] == "recv" else { return nil }
        self.init(id: String(fields[0]), direction: Direction(rawValue: String(fields[1])),
                  restrictions: fields.count == 3 ? String(fields[2]) : nil)
    }

    public var sdpValue: String {
        "\(id) \(direction.rawValue)" + (restrictions.map { " \($0)" } ?? "")
    }
}
