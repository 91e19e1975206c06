import Metrics
import NIOConcurrencyHelpers
import NIOCore
import StreamLyProtocol

/// An established, authenticated link to one peer: send requests (buffered or
/// streamed), answer the peer's requests, exchange one-shot messages, drain.
///
/// Thread-safe: every call hops to the connection's event loop.
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
    public func request(_ method: String, metadata: LinkMetadata = [:], body: ByteBuffer = ByteBuffer()) async throws -> LinkResponse {
        let start = ContinuousClock.now
        defer { requestTimer.record(duration: ContinuousClock.now - start) }
        let (_, response) = try await open(method, metadata: metadata, body: body, endStream: true)
        return try await response()
    }

    /// Opens a request whose body is streamed through the returned writer; call
    /// `response()` after (or while) writing to get the answer.
    public func streamingRequest(_ method: String, metadata: LinkMetadata = [:]) async throws
        -> (writer: LinkBodyWriter, response: @Sendable () async throws -> LinkResponse)
    {
        let (id, response) = try await open(method, metadata: metadata, body: ByteBuffer(), endStream: false)
        return (LinkBodyWriter(connection: self, streamID: id), response)
    }

    private func open(_ method: String, metadata: LinkMetadata, body: ByteBuffer, endStream: Bool) async throws
        -> (LinkStreamID, @Sendable () async throws -> LinkResponse)
    {
        try validateHead(name: method, metadata: metadata, fixedSize: 1)
        let head = channel.eventLoop.makePromise(of: LinkResponseHead.self)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let handler = self.handler
        let id = try await channel.eventLoop.submit {
            handler.value.startRequest(method: method, metadata: metadata, body: body, endStream: endStream,
                                       head: head, responseBody: continuation)
        }.get()
        guard let id else {
            _ = try await head.futureResult.get()
            throw LinkError(.refused, "stream could not be opened")
        }
        let body = self.body(stream, on: id)
        let response: @Sendable () async throws -> LinkResponse = { [self] in
            let head = try await withTaskCancellationHandler {
                try await head.futureResult.get()
            } onCancel: {
                self.reset(id, code: .cancel, reason: "request cancelled")
            }
            return LinkResponse(status: head.status, metadata: head.metadata, body: body)
        }
        return (id, response)
    }

    /// Sends a one-shot MESSAGE. It must fit the peer's MAX_FRAME_SIZE.
    public func send(_ message: LinkFrame.Message) async throws {
        try validateHead(name: message.topic, metadata: message.metadata, fixedSize: 1 + message.payload.readableBytes)
        let handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.write(.message(message), flush: true, promise: promise)
        }
        try await promise.futureResult.get()
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
        let handler = self.handler
        channel.eventLoop.execute { handler.value.drain(reason: reason) }
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

    func body(_ stream: AsyncThrowingStream<ByteBuffer, any Error>, on id: LinkStreamID) -> LinkBody {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        let batch = Int(localSettings.initialStreamWindow / 4)
        return LinkBody(chunks: stream, creditBatch: batch) { count in
            eventLoop.execute { handler.value.consumed(count, on: id) }
        }
    }

    func sendBody(_ buffer: ByteBuffer, on id: LinkStreamID, endStream: Bool) async throws {
        let handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.enqueueBody(buffer, on: id, endStream: endStream, promise: promise)
        }
        try await promise.futureResult.get()
    }

    func sendResponseHead(status: UInt16, metadata: LinkMetadata, on id: LinkStreamID) async throws {
        try validateHead(name: nil, metadata: metadata, fixedSize: 2)
        let handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.sendResponseHead(on: id, status: status, metadata: metadata, body: ByteBuffer(),
                                           endStream: false, promise: promise)
        }
        try await promise.futureResult.get()
    }

    /// Sends a complete response in as few frames as credit allows.
    func sendResponse(status: UInt16, metadata: LinkMetadata, body: ByteBuffer, on id: LinkStreamID) async throws {
        try validateHead(name: nil, metadata: metadata, fixedSize: 2)
        let handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            handler.value.sendResponseHead(on: id, status: status, metadata: metadata, body: body,
                                           endStream: true, promise: promise)
        }
        try await promise.futureResult.get()
    }

    func reset(_ id: LinkStreamID, code: LinkErrorCode, reason: String) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.resetStream(id, code: code, reason: reason) }
    }
}
