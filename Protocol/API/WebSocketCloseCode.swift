/// The close codes of the public WebSocket (`/ws`, docs/api.md "Close codes"; RFC 6455
/// §7.4: 1000–2999 are the protocol's, 4000–4999 are ours). Extensible: a client treats a
/// code it does not know by its range.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public var description: String { String(rawValue) }

    /// The edge is shutting down; reconnect (to it or another edge) and resume with `since`.
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// A frame was not valid (binary frames, invalid UTF-8).
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// A frame over the size limit.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// An unexpected server failure.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)
    /// No valid `auth` in time, or the token was invalid or expired.
    public static let unauthorized = WebSocketCloseCode(rawValue: 4001)
    /// The client read too slowly: its send buffer overflowed.
    public static let slowConsumer = WebSocketCloseCode(rawValue: 4008)
    /// The client kept exceeding its rate limit.
    public static let rateLimited = WebSocketCloseCode(rawValue: 4029)
}
