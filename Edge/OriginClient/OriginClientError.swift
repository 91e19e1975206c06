import StreamLyAPI

/// A failed call to the origin, with the public error code and HTTP status to pass on.
public struct OriginClientError: Error, Sendable {
    public var status: Int
    public var code: API.ErrorCode
    public var message: String
}
