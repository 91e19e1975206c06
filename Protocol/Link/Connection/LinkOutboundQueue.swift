import NIOCore
import StreamLyProtocol

/// Body chunks waiting for flow-control credit, per stream, served round-robin so
/// one large body cannot starve the others.
struct LinkOutboundQueue {
    struct Chunk {
        var buffer: ByteBuffer
        var endStream: Bool
        var promise: EventLoopPromise<Void>?
    }

    private var chunks: [LinkStreamID: CircularBuffer<Chunk>] = [:]
    /// Streams with queued chunks, in service order.
    private var order: CircularBuffer<LinkStreamID> = []

    var isEmpty: Bool { order.isEmpty }

    mutating func append(_ chunk: Chunk, on id: LinkStreamID) {
        if chunks[id] == nil {
            chunks[id] = []
            order.append(id)
        }
        chunks[id]!.append(chunk)
    }

    func hasQueued(on id: LinkStreamID) -> Bool { chunks[id] != nil }

    /// Sets END_STREAM on the last chunk queued on `id`, so an empty final chunk needs no
    /// frame of its own; `promise` completes with that chunk. False if nothing is queued.
    mutating func endStream(on id: LinkStreamID, promise: EventLoopPromise<Void>?) -> Bool {
        guard var queue = chunks[id], var last = queue.popLast() else { return false }
        last.endStream = true
        if let promise {
            if let earlier = last.promise { earlier.futureResult.cascade(to: promise) } else { last.promise = promise }
        }
        queue.append(last)
        chunks[id] = queue
        return true
    }

    /// Removes the next stream to serve from the rotation.
    mutating func popStream() -> LinkStreamID? { order.popFirst() }

    /// Puts a stream that still has chunks back at the end of the rotation.
    mutating func requeue(_ id: LinkStreamID) { order.append(id) }

    mutating func withChunks<R>(on id: LinkStreamID, _ body: (inout CircularBuffer<Chunk>) -> R) -> R {
        var queue = chunks.removeValue(forKey: id) ?? []
        defer { if !queue.isEmpty { chunks[id] = queue } }
        return body(&queue)
    }

    /// Drops a stream's chunks, failing their writers.
    mutating func fail(_ id: LinkStreamID, _ error: any Error) {
        guard let queue = chunks.removeValue(forKey: id) else { return }
        order.removeAll { $0 == id }
        for chunk in queue { chunk.promise?.fail(error) }
    }

    mutating func failAll(_ error: any Error) {
        for id in Array(chunks.keys) { fail(id, error) }
    }
}
