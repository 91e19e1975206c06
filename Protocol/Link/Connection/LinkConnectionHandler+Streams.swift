import NIOCore
import StreamLyProtocol

/// Stream I/O: delivering received heads and bodies, and sending ours within credit.
extension LinkConnectionHandler {
    func deliverRequest(_ request: LinkFrame.Request) {
        guard let facade else { return }
        let id = request.streamID
        if let loopHandler, loopHandler.handle(LinkLoopRequest(
            method: request.method, metadata: request.metadata, streamID: id,
            completeBody: request.endStream ? request.body : nil, firstChunk: request.body, handler: self)) {
            return
        }
        let body: LinkBody
        if request.endStream {
            body = .complete(request.body)
        } else {
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            yield(request.body, end: false, to: continuation)
            remoteBodies[id] = continuation
            body = facade.body(stream, on: id)
        }
        inbound.yield(.request(LinkInboundRequest(
            method: request.method, metadata: request.metadata,
            body: body, responder: LinkResponder(connection: facade, streamID: id)
        )))
    }

    func deliverResponse(_ response: LinkFrame.Response) {
        let id = response.streamID
        guard var stream = localStreams[id], let waiter = stream.waiter, let facade else { return }
        let body: LinkBody
        if response.endStream {
            localStreams.removeValue(forKey: id)
            body = .complete(response.body)
        } else {
            let (chunks, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            yield(response.body, end: false, to: continuation)
            stream.waiter = nil
            stream.body = continuation
            localStreams[id] = stream
            body = facade.body(chunks, on: id)
        }
        waiter.succeed(LinkResponse(status: response.status, metadata: response.metadata, body: body))
    }

    /// Queues a DATA chunk for its body; `deliverReceivedChunks` hands it over at the end
    /// of the read burst.
    func deliverData(_ chunk: LinkFrame.DataChunk) {
        let id = chunk.streamID
        if let body = loopBodies[id] {
            if chunk.endStream { loopBodies.removeValue(forKey: id) }
            if chunk.body.readableBytes > 0 {
                body.chunk(chunk.body)
                consumed(chunk.body.readableBytes, on: id)
            }
            if chunk.endStream { body.end(nil) }
        } else if let continuation = remoteBodies[id] {
            receivedChunks.append((continuation, chunk.body, chunk.endStream))
            if chunk.endStream { remoteBodies.removeValue(forKey: id) }
        } else if let continuation = localStreams[id]?.body {
            receivedChunks.append((continuation, chunk.body, chunk.endStream))
            if chunk.endStream { localStreams.removeValue(forKey: id) }
        }
    }

    /// Yields the chunks of this read burst, in order.
    func deliverReceivedChunks() {
        guard !receivedChunks.isEmpty else { return }
        for (body, chunk, end) in receivedChunks { yield(chunk, end: end, to: body) }
        receivedChunks.removeAll(keepingCapacity: true)
    }

    private func yield(_ body: ByteBuffer, end: Bool, to continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) {
        if body.readableBytes > 0 { continuation.yield(body) }
        if end { continuation.finish() }
    }

    /// Fails everything waiting on a stream (its head, its bodies, its writers).
    func failStream(_ id: LinkStreamID, _ error: LinkError) {
        deliverReceivedChunks()
        if let stream = localStreams.removeValue(forKey: id) {
            stream.waiter?.fail(error)
            stream.body?.finish(throwing: error)
        }
        remoteBodies.removeValue(forKey: id)?.finish(throwing: error)
        loopSources.removeValue(forKey: id)
        outbound.fail(id, error)
        loopBodies.removeValue(forKey: id)?.end(error)
    }

    // MARK: - Sending

    /// Opens a stream with a REQUEST; the response completes `waiter`. Returns nil (and
    /// fails `waiter`) when no stream can be opened.
    func startRequest(method: String, metadata: LinkMetadata, body: ByteBuffer, endStream: Bool,
                      waiter: ResponseWaiter) -> LinkStreamID? {
        guard context != nil else {
            // Nothing was sent, so the request was certainly not processed: another peer may take it.
            waiter.fail(LinkError(.refused, "connection closed before the request was sent"))
            return nil
        }
        let id: LinkStreamID
        do {
            id = try machine.openStream()
        } catch let error as LinkProtocolError {
            waiter.fail(LinkError(error))
            return nil
        } catch {
            waiter.fail(error)
            return nil
        }
        localStreams[id] = LocalStream(waiter: waiter, body: nil)
        let headSize = 1 + method.utf8.count + metadata.encodedSize
        sendHead(on: id, headSize: headSize, body: body, endStream: endStream, promise: nil) { inline, end in
            .request(.init(streamID: id, method: method, metadata: metadata, body: inline, endStream: end))
        }
        return id
    }

    func sendResponseHead(on id: LinkStreamID, status: UInt16, metadata: LinkMetadata, body: ByteBuffer,
                          endStream: Bool, promise: EventLoopPromise<Void>?) {
        guard machine.canSend(on: id) else {
            promise?.fail(LinkError(.connectionClosed, "stream \(id) is closed"))
            return
        }
        sendHead(on: id, headSize: 2 + metadata.encodedSize, body: body, endStream: endStream, promise: promise,
                 isResponse: true) { inline, end in
            .response(.init(streamID: id, status: status, metadata: metadata, body: inline, endStream: end))
        }
    }

    /// Writes a head frame (`headSize` bytes before the body, already checked against
    /// the peer's MAX_FRAME_SIZE), carrying the body inline when head and body fit one
    /// frame and the current credit; otherwise the body follows as DATA.
    private func sendHead(on id: LinkStreamID, headSize: Int, body: ByteBuffer, endStream: Bool,
                          promise: EventLoopPromise<Void>?, isResponse: Bool = false,
                          _ make: (ByteBuffer, Bool) -> LinkFrame) {
        let length = body.readableBytes
        let inlineFits = length == 0
            || (length <= machine.sendableBytes(on: id) && headSize + length <= machine.peerMaxFrameSize)
        let frame = make(inlineFits ? body : ByteBuffer(), inlineFits ? endStream : false)
        machine.sent(bodyBytes: inlineFits ? length : 0, on: id,
                     endStream: inlineFits && endStream, isResponseHead: isResponse)
        if inlineFits {
            write(frame, flush: true, promise: promise)
            if endStream { cancelUnreadRequestBody(on: id) }
        } else {
            write(frame, flush: true)
            enqueueBody(body, on: id, endStream: endStream, promise: promise)
        }
    }

    /// Queues body bytes; `promise` completes once they are all handed to the channel.
    func enqueueBody(_ buffer: ByteBuffer, on id: LinkStreamID, endStream: Bool, promise: EventLoopPromise<Void>?) {
        guard machine.canSend(on: id) else {
            promise?.fail(LinkError(.connectionClosed, "stream \(id) is closed"))
            return
        }
        if endStream, buffer.readableBytes == 0, outbound.endStream(on: id, promise: promise) {
            return  // END_STREAM rides on the last queued chunk
        }
        outbound.append(.init(buffer: buffer, endStream: endStream, promise: promise), on: id)
        flushQueuedBodies()
    }

    /// Sends queued chunks while credit and channel writability allow, one frame
    /// per stream per round so streams interleave.
    func flushQueuedBodies() {
        guard let context else { return }
        var wrote = false
        var blocked: [LinkStreamID] = []
        while context.channel.isWritable, let id = outbound.popStream() {
            let sendable = machine.sendableBytes(on: id)
            guard sendable > 0 || outbound.withChunks(on: id, { $0.first?.buffer.readableBytes == 0 }) else {
                blocked.append(id)
                continue
            }
            let more = outbound.withChunks(on: id) { queue -> Bool in
                var chunk = queue.removeFirst()
                let count = min(sendable, chunk.buffer.readableBytes)
                let piece = chunk.buffer.readSlice(length: count)!
                let finished = chunk.buffer.readableBytes == 0
                let end = finished && chunk.endStream
                machine.sent(bodyBytes: count, on: id, endStream: end)
                write(.data(.init(streamID: id, body: piece, endStream: end)), flush: false)
                // Handed to the channel, which takes bytes only while it is writable: the
                // writer may go on (its write-ahead is bounded by its stream window).
                if finished { chunk.promise?.succeed(()) }
                if end { cancelUnreadRequestBody(on: id) }
                if !finished { queue.prepend(chunk) }
                return !queue.isEmpty
            }
            wrote = true
            if more { outbound.requeue(id) } else { pullLoopSource(id) }
        }
        for id in blocked { outbound.requeue(id) }
        if wrote { flushSoon() }
    }

    /// Starts a response body pulled on the event loop from `next`; the head was sent.
    func startLoopSource(on id: LinkStreamID, _ next: @escaping () -> (chunk: ByteBuffer, isLast: Bool)) {
        loopSources[id] = next
        pullLoopSource(id)
        flushQueuedBodies()
    }

    /// Queues the next chunk of a body pulled on the event loop (the stream's queue ran
    /// empty); the stream goes back into the rotation.
    private func pullLoopSource(_ id: LinkStreamID) {
        guard let next = loopSources[id], machine.canSend(on: id) else { return }
        let (chunk, isLast) = next()
        if isLast { loopSources.removeValue(forKey: id) }
        outbound.append(.init(buffer: chunk, endStream: isLast, promise: nil), on: id)
    }

    /// Our response on `id` is complete: stop a request body nobody will read.
    private func cancelUnreadRequestBody(on id: LinkStreamID) {
        guard let reset = machine.responseEnded(on: id) else { return }
        loopBodies.removeValue(forKey: id)
        remoteBodies.removeValue(forKey: id)?.finish()
        write(reset, flush: true)
    }

    /// The application read `count` bytes of stream `id`'s body.
    func consumed(_ count: Int, on id: LinkStreamID) {
        guard let update = machine.consumed(count, on: id) else { return }
        write(update, flush: true)
    }

    func resetStream(_ id: LinkStreamID, code: LinkErrorCode, reason: String) {
        guard let frame = machine.reset(id, code: code, reason: reason) else { return }
        failStream(id, LinkError(.streamReset, protocolCode: code, reason))
        write(frame, flush: true)
    }

    func drain(reason: String) {
        guard let frame = machine.drain(reason: reason) else { return }
        write(frame, flush: true)
    }
}
