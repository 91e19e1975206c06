import NIOCore
import StreamLyProtocol

/// The head of a response.
public struct LinkResponseHead: Sendable {
    public var status: UInt16
    public var metadata: LinkMetadata
}

/// A response to a request this peer sent.
public struct LinkResponse: Sendable {
    public var status: UInt16
    public var metadata: LinkMetadata
    public var body: LinkBody
}

/// Something the peer sent on its own initiative.
public enum LinkInbound: Sendable {
    case request(LinkInboundRequest)
    case message(LinkFrame.Message)
}

/// A request the peer opened; answer it through `responder`.
public struct LinkInboundRequest: Sendable {
    public var method: String
    public var metadata: LinkMetadata
    public var body: LinkBody
    public var responder: LinkResponder
}

/// Answers one inbound request.
public struct LinkResponder: Sendable {
    let connection: LinkConnection
    public let streamID: LinkStreamID

    /// Sends a complete response.
    public func respond(status: UInt16, metadata: LinkMetadata = [:], body: ByteBuffer = ByteBuffer()) async throws {
        try await connection.sendResponse(status: status, metadata: metadata, body: body, on: streamID)
    }

    /// Starts the response; stream the body through the returned writer. The head is
    /// sent with the writer's first `write` or `finish`, so a short body shares its frame.
    public func startResponse(status: UInt16, metadata: LinkMetadata = [:]) async throws -> LinkBodyWriter {
        try connection.validateHead(name: nil, metadata: metadata, fixedSize: 2)
        return connection.bodyWriter(on: streamID, head: LinkWriteAhead.Head(status: status, metadata: metadata))
    }

    /// Refuses or abandons the request.
    public func reset(_ code: LinkErrorCode, reason: String) {
        connection.reset(streamID, code: code, reason: reason)
    }
}
