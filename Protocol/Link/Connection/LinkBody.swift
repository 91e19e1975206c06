import NIOCore
import StreamLyProtocol

/// A received body: chunks in order as the peer sends them. Reading a chunk
/// returns its bytes to the peer as flow-control credit, so an unread body
/// stalls only its own stream.
///
/// A body that arrived whole inside its REQUEST or RESPONSE frame (END_STREAM set)
/// is held as one buffer: no stream, no credit to return (the peer's stream window
/// ends with the stream).
public struct LinkBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    enum Source: Sendable {
        case complete(ByteBuffer)
        case chunks(AsyncThrowingStream<ByteBuffer, any Error>)
    }

    let source: Source
    let credit: @Sendable (Int) -> Void
    /// Bytes read before credit is handed back (a quarter of the stream window): the
    /// connection only sends WINDOW_UPDATE at half a window, so per-chunk hops are waste.
    let creditBatch: Int

    init(chunks: AsyncThrowingStream<ByteBuffer, any Error>, creditBatch: Int = 0,
         credit: @escaping @Sendable (Int) -> Void) {
        self.source = .chunks(chunks)
        self.credit = credit
        self.creditBatch = creditBatch
    }

    /// An already complete body.
    public static func complete(_ buffer: ByteBuffer) -> LinkBody {
        LinkBody(source: .complete(buffer))
    }

    private init(source: Source) {
        self.source = source
        self.credit = { _ in }
        self.creditBatch = 0
    }

    /// The whole body when it is already complete (it arrived in the head frame): a caller
    /// on an event loop reads it without awaiting.
    public var completeBuffer: ByteBuffer? {
        if case .complete(let buffer) = source { return buffer }
        return nil
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator?
        var whole: ByteBuffer?
        let credit: @Sendable (Int) -> Void
        let creditBatch: Int
        var owed = 0

        public mutating func next() async throws -> ByteBuffer? {
            try await next(isolation: nil)
        }

        /// Resumes on the caller's actor (a reader isolated to the event loop stays there).
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> ByteBuffer? {
            if let buffer = whole {
                whole = nil
                return buffer.readableBytes > 0 ? buffer : nil
            }
            guard base != nil, let chunk = try await base!.next(isolation: actor) else { return nil }
            owed += chunk.readableBytes
            if owed > creditBatch {
                credit(owed)
                owed = 0
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .complete(let buffer):
            AsyncIterator(base: nil, whole: buffer, credit: credit, creditBatch: creditBatch)
        case .chunks(let stream):
            AsyncIterator(base: stream.makeAsyncIterator(), whole: nil, credit: credit, creditBatch: creditBatch)
        }
    }

    /// Reads the whole body; throws `tooLarge` past `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> ByteBuffer {
        if let buffer = completeBuffer {
            guard buffer.readableBytes <= maxBytes else {
                throw LinkError(.tooLarge, "body exceeds \(maxBytes) bytes")
            }
            return buffer
        }
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
