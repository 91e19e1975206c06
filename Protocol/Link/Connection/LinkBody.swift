import NIOCore
import StreamLyProtocol

/// A received body: chunks in order as the peer sends them. Reading a chunk
/// returns its bytes to the peer as flow-control credit, so an unread body
/// stalls only its own stream.
public struct LinkBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let chunks: AsyncThrowingStream<ByteBuffer, any Error>
    let credit: @Sendable (Int) -> Void
    /// Bytes read before credit is handed back (a quarter of the stream window): the
    /// connection only sends WINDOW_UPDATE at half a window, so per-chunk hops are waste.
    let creditBatch: Int

    init(chunks: AsyncThrowingStream<ByteBuffer, any Error>, creditBatch: Int = 0,
         credit: @escaping @Sendable (Int) -> Void) {
        self.chunks = chunks
        self.credit = credit
        self.creditBatch = creditBatch
    }

    /// An already complete body.
    public static func complete(_ buffer: ByteBuffer) -> LinkBody {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        if buffer.readableBytes > 0 { continuation.yield(buffer) }
        continuation.finish()
        return LinkBody(chunks: stream, credit: { _ in })
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let credit: @Sendable (Int) -> Void
        let creditBatch: Int
        var owed = 0

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            owed += chunk.readableBytes
            if owed > creditBatch {
                credit(owed)
                owed = 0
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), credit: credit, creditBatch: creditBatch)
    }

    /// Reads the whole body; throws `tooLarge` past `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> ByteBuffer {
        var result = ByteBuffer()
        for try await chunk in self {
            guard result.readableBytes + chunk.readableBytes <= maxBytes else {
                throw LinkError(.tooLarge, "body exceeds \(maxBytes) bytes")
            }
            var chunk = chunk
            result.writeBuffer(&chunk)
        }
        return result
    }
}

/// Sends a body on one stream. Each `write` returns once the chunk is handed to
/// the connection, which happens only as fast as the peer grants credit.
public struct LinkBodyWriter: Sendable {
    let connection: LinkConnection
    public let streamID: LinkStreamID

    public func write(_ buffer: ByteBuffer) async throws {
        try await connection.sendBody(buffer, on: streamID, endStream: false)
    }

    /// Ends the body, optionally with a last chunk.
    public func finish(_ buffer: ByteBuffer = ByteBuffer()) async throws {
        try await connection.sendBody(buffer, on: streamID, endStream: true)
    }

    /// Abandons the stream.
    public func cancel(_ code: LinkErrorCode = .cancel, reason: String = "cancelled") {
        connection.reset(streamID, code: code, reason: reason)
    }
}
