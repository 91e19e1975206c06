import Metrics
import NIOConcurrencyHelpers
import NIOCore
import StreamLyProtocol

/// An established, authenticated link to one peer: send requests (buffered or
/// streamed), answer the peer's requests, exchange one-shot messages, drain.
///
/// Thread-safe: every call runs on the connection's event loop, inline when the caller
/// already runs there, otherwise as one task on it.
public final class LinkConnection: Sendable {
    public let peer: LinkPeer
    /// What this side announced (windows bound how credit is batched).
    let localSettings: LinkSettings
    let channel: any Channel
    let handler: NIOLoopBound<LinkConnectionHandler>
    /// Requests and messages the peer sends. Iterate it once.
    public let inbound: AsyncStream<LinkInbound>
    private let draining = NIOLockedValueBox(false)
    private let requestTimer: Metrics.Timer

    init(peer: LinkPeer, localSettings: LinkSettings, channel: any Channel, handler: NIOLoopBound<LinkConnectionHandler>,
         inbound: AsyncStream<LinkInbound>, requestTimer: Metrics.Timer) {
        self.peer = peer
        self.localSettings = localSettings
        self.channel = channel
        self.handler = handler
        self.inbound = inbound
        self.requestTimer = requestTimer
    }

    /// The event loop the connection runs on. A caller isolated to it (an actor whose executor
    /// is this loop) sends requests with no thread hand-off at all.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// False once either side started draining or the connection closed.
    public var isAcceptingRequests: Bool {
        channel.isActive && !draining.withLockedValue { $0 }
    }

    func markDraining() {
        draining.withLockedValue { $0 = true }
    }

    /// Sends a request with a complete body and waits for the response head.
    ///
    /// The hot path: one task on the event loop (none when the caller already runs there)
    /// and one suspension; a body that fits the credit travels in the REQUEST frame, and a
    /// response that arrives whole is handed over without a stream. It runs on the caller's
    /// executor (`isolation`), so a caller isolated to `eventLoop` never leaves that thread.
    public func request(_ method: String, metadata: LinkMetadata = [:], body: ByteBuffer = ByteBuffer(),
                        isolation: isolated (any Actor)? = #isolation) async throws -> LinkResponse {
        let start = ContinuousClock.now
        defer { requestTimer.record(duration: ContinuousClock.now - start) }
        try validateHead(name: method, metadata: metadata, fixedSize: 1)
        let ticket = NIOLoopBoundBox.makeEmptyBox(valueType: LinkRequestTicket.self, eventLoop: channel.eventLoop)
        return try await withTaskCancellationHandler {
            _ = isolation  // captured: the closure runs on the caller's executor, not the global one
            return try await withCheckedThrowingContinuation(isolation: isolation) { (continuation: CheckedContinuation<LinkResponse, any Error>) in
                onLoop { handler in
                    if case .cancelled? = ticket.value {
                        continuation.resume(throwing: LinkError(.streamReset, protocolCode: .cancel, "request cancelled"))
                        return
                    }
                    let id = handler.startRequest(method: method, metadata: metadata, body: body, endStream: true,
                                                  waiter: .continuation(continuation))
                    if let id { ticket.value = .open(id) }
                }
            }
        } onCancel: {
            self.onLoop { handler in
                if case .open(let id)? = ticket.value {
                    handler.resetStream(id, code: .cancel, reason: "request cancelled")
                } else {
                    ticket.value = .cancelled
                }
            }
        }
    }

    /// Sends a request with a complete body; the future completes on `eventLoop` with the
    /// response head. For callers that run on event loops (NIO handlers): no task, no
    /// continuation, and none of the thread hand-offs a Swift task's resumption costs; a
    /// caller on `eventLoop` writes the request inline. Not cancellable: reset the stream by
    /// closing the connection, or use the async `request`. The future's callbacks run inside
    /// the connection's handler (a callback may submit again at once).
    public func submit(_ method: String, metadata: LinkMetadata = [:], body: ByteBuffer = ByteBuffer())
        -> EventLoopFuture<LinkResponse>
    {
        let promise = channel.eventLoop.makePromise(of: LinkResponse.self)
        do {
            try validateHead(name: method, metadata: metadata, fixedSize: 1)
        } catch {
            promise.fail(error)
            return promise.futureResult
        }
        let start = ContinuousClock.now
        let timer = requestTimer
        promise.futureResult.whenComplete { _ in timer.record(duration: ContinuousClock.now - start) }
        onLoop { handler in
            _ = handler.startRequest(method: method, metadata: metadata, body: body, endStream: true,
                                     waiter: .promise(promise))
        }
        return promise.futureResult
    }

    /// Opens a request whose body is streamed through the returned writer; call
    /// `response()` after (or while) writing to get the answer.
    public func streamingRequest(_ method: String, metadata: LinkMetadata = [:]) async throws
        -> (writer: LinkBodyWriter, response: @Sendable () async throws -> LinkResponse)
    {
        try validateHead(name: method, metadata: metadata, fixedSize: 1)
        let head = channel.eventLoop.makePromise(of: LinkResponse.self)
        let id: LinkStreamID? = try await withCheckedThrowingContinuation { continuation in
            onLoop { handler in
                continuation.resume(returning: handler.startRequest(
                    method: method, metadata: metadata, body: ByteBuffer(), endStream: false, waiter: .promise(head)))
            }
        }
        guard let id else {
            _ = try await head.futureResult.get()
            throw LinkError(.refused, "stream could not be opened")
        }
        let response: @Sendable () async throws -> LinkResponse = { [self] in
            try await withTaskCancellationHandler {
                try await head.futureResult.get()
            } onCancel: {
                self.reset(id, code: .cancel, reason: "request cancelled")
            }
        }
        return (bodyWriter(on: id, head: nil), response)
    }

    /// Sends a one-shot MESSAGE. It must fit the peer's MAX_FRAME_SIZE.
    public func send(_ message: LinkFrame.Message) async throws {
        try validateHead(name: message.topic, metadata: message.metadata, fixedSize: 1 + message.payload.readableBytes)
        try await onLoopAwaiting { handler, promise in
            handler.write(.message(message), flush: true, promise: promise)
        }
    }

    /// Checks caller-supplied names and metadata before they reach the encoder:
    /// names 1...255 bytes, metadata within its limits, the whole head within the
    /// peer's MAX_FRAME_SIZE.
    func validateHead(name: String?, metadata: LinkMetadata, fixedSize: Int) throws {
        if let name, name.isEmpty || name.utf8.count > linkMaxNameLength {
            throw LinkError(.invalidArgument, "method or topic name must be 1...\(linkMaxNameLength) bytes")
        }
        if let problem = metadata.validationFailure {
            throw LinkError(.invalidArgument, problem)
        }
        let size = fixedSize + (name?.utf8.count ?? 0) + metadata.encodedSize
        guard size <= Int(peer.settings.maxFrameSize) else {
            throw LinkError(.tooLarge, "\(size) bytes exceed the peer's MAX_FRAME_SIZE \(peer.settings.maxFrameSize)")
        }
    }

    /// Starts a graceful drain: the peer stops opening streams; open ones finish.
    public func drain(reason: String) {
        markDraining()
        onLoop { handler in handler.drain(reason: reason) }
    }

    /// Drains, waits up to `timeout` for open streams to finish, then closes.
    public func drainAndClose(reason: String, timeout: Duration) async {
        drain(reason: reason)
        let deadline = ContinuousClock.now + timeout
        let handler = self.handler
        while ContinuousClock.now < deadline, channel.isActive {
            let open = try? await channel.eventLoop.submit { handler.value.machine.openStreamCount }.get()
            if open ?? 0 == 0 { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? await channel.close()
    }

    /// Closes the connection now.
    public func close() async {
        try? await channel.close()
    }

    // MARK: - Used by bodies, writers and responders

    /// Runs `body` on the connection's event loop: inline when the caller already runs
    /// there (no task hop), otherwise as one task on it.
    func onLoop(_ body: @escaping @Sendable (LinkConnectionHandler) -> Void) {
        let handler = self.handler
        if channel.eventLoop.inEventLoop {
            body(handler.value)
        } else {
            channel.eventLoop.execute { body(handler.value) }
        }
    }

    /// Runs `body` on the event loop and waits for the promise it completes.
    private func onLoopAwaiting(_ body: @escaping @Sendable (LinkConnectionHandler, EventLoopPromise<Void>) -> Void) async throws {
        let eventLoop = channel.eventLoop
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            onLoop { handler in
                let promise = eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenComplete { continuation.resume(with: $0) }
                body(handler, promise)
            }
        }
    }

    func body(_ stream: AsyncThrowingStream<ByteBuffer, any Error>, on id: LinkStreamID) -> LinkBody {
        let batch = Int(localSettings.initialStreamWindow / 4)
        return LinkBody(chunks: stream, creditBatch: batch) { [self] count in
            onLoop { handler in handler.consumed(count, on: id) }
        }
    }

    /// A writer for stream `id`; `head` is a response head still to be sent.
    func bodyWriter(on id: LinkStreamID, head: LinkWriteAhead.Head?) -> LinkBodyWriter {
        let limit = max(Int(peer.settings.initialStreamWindow), Int(LinkSettings.minMaxFrameSize))
        return LinkBodyWriter(connection: self, streamID: id, state: LinkWriteAhead(limit: limit, head: head))
    }

    /// Queues a body chunk (with the response head if still pending) and returns while the
    /// writer's queued bytes stay within its write-ahead limit; `finish` waits for all.
    func sendBody(_ buffer: ByteBuffer, on id: LinkStreamID, endStream: Bool, writeAhead: LinkWriteAhead) async throws {
        let cost = buffer.readableBytes + 1
        let head = try writeAhead.begin(cost)
        let eventLoop = channel.eventLoop
        onLoop { handler in
            let promise = eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { writeAhead.handed(cost, $0) }
            if let head {
                handler.sendResponseHead(on: id, status: head.status, metadata: head.metadata, body: buffer,
                                         endStream: endStream, promise: promise)
            } else {
                handler.enqueueBody(buffer, on: id, endStream: endStream, promise: promise)
            }
        }
        try await writeAhead.wait(untilAtMost: endStream ? 0 : writeAhead.limit)
    }

    /// Sends a complete response in as few frames as credit allows.
    func sendResponse(status: UInt16, metadata: LinkMetadata, body: ByteBuffer, on id: LinkStreamID) async throws {
        try validateHead(name: nil, metadata: metadata, fixedSize: 2)
        try await onLoopAwaiting { handler, promise in
            handler.sendResponseHead(on: id, status: status, metadata: metadata, body: body,
                                     endStream: true, promise: promise)
        }
    }

    func reset(_ id: LinkStreamID, code: LinkErrorCode, reason: String) {
        onLoop { handler in handler.resetStream(id, code: code, reason: reason) }
    }
}

/// Where a `request` stands, seen from the event loop (for cancellation).
enum LinkRequestTicket {
    case open(LinkStreamID)
    case cancelled
}
