/// Identifies one `WebRTCTransport` within its `MediaServer` (for logs, metrics and the call
/// model's maps). Unique for the server's lifetime.
public struct TransportID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public var description: String { "t\(rawValue)" }
}
