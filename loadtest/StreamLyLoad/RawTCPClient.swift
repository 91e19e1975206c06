import NIOCore
import NIOPosix

/// The baseline client: drives a `RawTCPServer` from a NIO handler on its event loop,
/// the best case loopback TCP allows (no framing, no async hops, no flow control).
enum RawTCPClient {
    /// Echo round trips on one connection with `inFlight` fixed-size messages pipelined:
    /// each echo that comes back completes the oldest outstanding message and sends the
    /// next one. Latency is from writing a message to reading its last echoed byte.
    static func roundTrips(port: Int, messageSize: Int, inFlight: Int, window: MeasurementWindow) async throws
        -> RoundTripResult
    {
        try await run(port: port) { promise in
            EchoClientHandler(messageSize: messageSize, inFlight: inFlight, window: window, done: promise)
        }
    }

    /// Writes `total` bytes (after an 8-byte count) in `chunkSize` writes as fast as the
    /// socket takes them; returns the seconds until the server acknowledged all of them.
    static func upload(port: Int, total: Int, chunkSize: Int) async throws -> Double {
        try await run(port: port) { promise in
            UploadClientHandler(total: total, chunkSize: chunkSize, done: promise)
        }
    }

    /// Asks the server for `total` bytes; returns the seconds until the last one arrived.
    static func download(port: Int, total: Int) async throws -> Double {
        try await run(port: port) { promise in
            DownloadClientHandler(total: total, done: promise)
        }
    }

    private static func run<Result: Sendable>(
        port: Int, _ makeHandler: @escaping @Sendable (EventLoopPromise<Result>) -> any ChannelHandler
    ) async throws -> Result {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let done = eventLoop.makePromise(of: Result.self)
        let channel = try await ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    try channel.pipeline.syncOperations.addHandler(makeHandler(done))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        channel.closeFuture.whenComplete { _ in
            done.fail(ChannelError.ioOnClosedChannel)
        }
        defer { channel.close(promise: nil) }
        return try await done.futureResult.get()
    }
}

/// Keeps `inFlight` echo messages outstanding until the window closes, then drains.
private final class EchoClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: ByteBuffer
    private let inFlight: Int
    private let window: MeasurementWindow
    private let done: EventLoopPromise<RoundTripResult>
    private var sentAt = CircularBuffer<UInt64>()
    private var partial = 0
    private var latencies = LatencyRecorder()
    private var stopped = false

    init(messageSize: Int, inFlight: Int, window: MeasurementWindow, done: EventLoopPromise<RoundTripResult>) {
        self.message = ByteBuffer(repeating: 0x42, count: messageSize)
        self.inFlight = inFlight
        self.window = window
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        for _ in 0..<inFlight { send(context: context) }
        context.flush()
        context.fireChannelActive()
    }

    private func send(context: ChannelHandlerContext) {
        sentAt.append(nowNanos())
        context.write(wrapOutboundOut(message), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partial += unwrapInboundIn(data).readableBytes
        let size = message.readableBytes
        while partial >= size {
            partial -= size
            let started = sentAt.removeFirst()
            let now = nowNanos()
            if window.contains(now) { latencies.record(nanoseconds: now - started) }
            if window.isOver(now) { stopped = true }
            if !stopped { send(context: context) }
        }
        if stopped && sentAt.isEmpty {
            done.succeed(RoundTripResult(latencies: latencies, seconds: window.seconds))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }
}

/// Sends the count, then the body while the socket is writable; waits for the answer.
private final class UploadClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let chunk: ByteBuffer
    private let total: Int
    private let done: EventLoopPromise<Double>
    private var left: Int
    private var started: UInt64 = 0
    private var answer = ByteBuffer()

    init(total: Int, chunkSize: Int, done: EventLoopPromise<Double>) {
        self.chunk = ByteBuffer(repeating: 0x5A, count: chunkSize)
        self.total = total
        self.left = total
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        started = nowNanos()
        var header = context.channel.allocator.buffer(capacity: 8)
        header.writeInteger(UInt64(total))
        context.write(wrapOutboundOut(header), promise: nil)
        pump(context: context)
        context.fireChannelActive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func pump(context: ChannelHandlerContext) {
        while left > 0, context.channel.isWritable {
            let piece = min(left, chunk.readableBytes)
            context.write(wrapOutboundOut(chunk.getSlice(at: 0, length: piece)!), promise: nil)
            left -= piece
        }
        context.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        answer.writeBuffer(&bytes)
        guard let count = answer.readInteger(as: UInt64.self) else { return }
        guard count == UInt64(total) else {
            done.fail(BenchmarkError("raw sink counted \(count) bytes, expected \(total)"))
            return
        }
        done.succeed(Double(nowNanos() - started) / 1e9)
    }
}

/// Asks for the body and counts it.
private final class DownloadClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let total: Int
    private let done: EventLoopPromise<Double>
    private var received = 0
    private var started: UInt64 = 0

    init(total: Int, done: EventLoopPromise<Double>) {
        self.total = total
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        started = nowNanos()
        var header = context.channel.allocator.buffer(capacity: 8)
        header.writeInteger(UInt64(total))
        context.writeAndFlush(wrapOutboundOut(header), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        if received >= total { done.succeed(Double(nowNanos() - started) / 1e9) }
    }
}

/// A benchmark could not produce a valid figure (wrong status, byte count mismatch, …).
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
