import NIOCore
import StreamLyProtocol

/// Answers inbound requests on the connection's event loop, with no task per request: for
/// handlers that never wait (`sys.*`, answers from memory). The connection offers it every
/// request before `LinkConnection.inbound`; when it returns `false` the request goes to
/// `inbound` as usual, so handlers that await (a database, the broker) keep the task path.
///
/// It runs on the event loop: it must not block. When it returns `true` it owns the request
/// and must answer it through the `LinkLoopRequest` (now, or later on the same event loop).
public struct LinkLoopHandler: Sendable {
    let handle: @Sendable (LinkLoopRequest) -> Bool

    public init(_ handle: @escaping @Sendable (LinkLoopRequest) -> Bool) {
        self.handle = handle
    }
}

/// One request offered to a `LinkLoopHandler`. Use it on the connection's event loop only.
public struct LinkLoopRequest {
    public let method: String
    public let metadata: LinkMetadata
    public let streamID: LinkStreamID
    /// The whole body when it arrived in the REQUEST frame (END_STREAM set); nil when it streams.
    public let completeBody: ByteBuffer?
    /// Body bytes that came in the REQUEST frame of a streamed body.
    let firstChunk: ByteBuffer
    let handler: LinkConnectionHandler

    /// Sends a complete response in as few frames as credit allows.
    public func respond(status: UInt16, metadata: LinkMetadata = [:], body: ByteBuffer = ByteBuffer()) throws {
        try validateResponseHead(metadata)
        handler.sendResponseHead(on: streamID, status: status, metadata: metadata, body: body,
                                 endStream: true, promise: nil)
    }

    /// Sends the response head and a body pulled from `next` as flow control and the channel
    /// allow: `next` is called on the event loop whenever the stream's queue runs empty and
    /// returns the next chunk and whether it is the last one.
    public func respond(status: UInt16, metadata: LinkMetadata = [:],
                        streaming next: @escaping () -> (chunk: ByteBuffer, isLast: Bool)) throws {
        try validateResponseHead(metadata)
        handler.sendResponseHead(on: streamID, status: status, metadata: metadata, body: ByteBuffer(),
                                 endStream: false, promise: nil)
        handler.startLoopSource(on: streamID, next)
    }

    /// Reads a streamed body on the event loop: `chunk` for every piece as it arrives (its
    /// credit goes back to the peer at once), then `end` once, with the error if the stream
    /// failed. A complete body is delivered the same way, at once.
    public func readBody(chunk: @escaping (ByteBuffer) -> Void, end: @escaping (LinkError?) -> Void) {
        guard handler.context != nil else {
            end(LinkError(.connectionClosed, "connection closed"))
            return
        }
        if let completeBody {
            if completeBody.readableBytes > 0 { chunk(completeBody) }
            end(nil)
            return
        }
        handler.loopBodies[streamID] = LinkConnectionHandler.LoopBody(chunk: chunk, end: end)
        if firstChunk.readableBytes > 0 {
            chunk(firstChunk)
            handler.consumed(firstChunk.readableBytes, on: streamID)
        }
    }

    /// Refuses or abandons the request.
    public func reset(_ code: LinkErrorCode, reason: String) {
        handler.resetStream(streamID, code: code, reason: reason)
    }

    private func validateResponseHead(_ metadata: LinkMetadata) throws {
        guard let facade = handler.facade else { throw LinkError(.connectionClosed, "connection closed") }
        try facade.validateHead(name: nil, metadata: metadata, fixedSize: 2)
    }
}
