/// An error detected while decoding or processing frames, with the error code
/// that must be sent to the peer and whether it ends the connection or one stream.
public struct LinkProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Scope of an error: the whole connection (send GOAWAY and close) or one stream (send RESET).
    public enum Scope: Hashable, Sendable {
        case connection
        case stream(LinkStreamID)
    }

    public var code: LinkErrorCode
    public var scope: Scope
    public var message: String

    public init(_ code: LinkErrorCode, _ message: String, scope: Scope = .connection) {
        self.code = code
        self.scope = scope
        self.message = message
    }

    public var description: String {
        switch scope {
        case .connection: "\(code): \(message)"
        case .stream(let id): "\(code) on stream \(id): \(message)"
        }
    }
}
