import NIOCore

/// Hands what a TLS connection writes to the TLS handler below it a piece at a time, and only
/// while the channel is writable, so that a client that stops reading holds at most about
/// the channel's high write-buffer watermark plus one piece of ciphertext in the server.
///
/// Why: `NIOSSLHandler` encrypts everything flushed to it at once, into a buffer of its own,
/// whatever the channel's writability. A 16 MiB HLS segment written whole (or any answer
/// written faster than the peer reads) sat in the edge encrypted in full — about 50 MiB per
/// slow reader once the encrypting buffer had grown — until the write timeout closed the
/// connection. Above TLS, this handler keeps what it is given as it was given (for HLS,
/// slices of the cached segment: no copy) and passes on at most `pieceBytes` between
/// writability checks; `channelWritabilityChanged` (writable again) resumes it.
///
/// Flushes keep their meaning: only writes followed by a flush are passed on. A half-closure
/// (`close(mode: .output)`) waits for the writes queued before it; a full close fails them.
/// Place it right after the TLS handler (on its tail side).
public final class PacedWriteHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Most bytes passed on between two writability checks.
    public let pieceBytes: Int

    private struct Write {
        var bytes: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    private var queue = CircularBuffer<Write>()
    /// How many writes at the front of `queue` a flush has covered.
    private var flushed = 0
    /// A `close(mode: .output)` waiting for the queued writes (nil: none asked for).
    private var pendingCloseOutput: EventLoopPromise<Void>??
    /// Set while `pump` runs: a flush below it may report writability at once (re-entry).
    private var pumping = false

    /// - Parameter pieceBytes: most bytes passed on between writability checks (default 64
    ///   KiB, the default high watermark: four TLS records).
    public init(pieceBytes: Int = 64 << 10) {
        precondition(pieceBytes > 0)
        self.pieceBytes = pieceBytes
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if pendingCloseOutput != nil {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        queue.append(Write(bytes: unwrapOutboundIn(data), promise: promise))
    }

    public func flush(context: ChannelHandlerContext) {
        flushed = queue.count
        pump(context: context)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .output where !queue.isEmpty:
            pendingCloseOutput = .some(promise)
        case .all:
            failQueued(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        default:
            context.close(mode: mode, promise: promise)
        }
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        failQueued(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        // Leaving the pipeline: what is queued goes on below as it was asked for.
        let hadFlush = flushed > 0
        while let write = queue.popFirst() { context.write(wrapOutboundOut(write.bytes), promise: write.promise) }
        flushed = 0
        if hadFlush { context.flush() }
        if case .some(let promise) = pendingCloseOutput {
            pendingCloseOutput = nil
            context.close(mode: .output, promise: promise)
        }
    }

    /// Passes flushed writes on, at most `pieceBytes` at a time followed by a flush, while the
    /// channel is writable; then the waiting half-closure, once nothing is queued.
    private func pump(context: ChannelHandlerContext) {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while flushed > 0, context.channel.isWritable {
            var budget = pieceBytes
            while flushed > 0, budget > 0 {
                let first = queue.startIndex
                if queue[first].bytes.readableBytes <= budget {
                    let write = queue.removeFirst()
                    flushed -= 1
                    budget -= write.bytes.readableBytes
                    context.write(wrapOutboundOut(write.bytes), promise: write.promise)
                } else if let piece = queue[first].bytes.readSlice(length: budget) {
                    budget = 0
                    context.write(wrapOutboundOut(piece), promise: nil)
                }
            }
            context.flush()
        }
        if queue.isEmpty, case .some(let promise) = pendingCloseOutput {
            pendingCloseOutput = nil
            context.close(mode: .output, promise: promise)
        }
    }

    private func failQueued(_ error: any Error) {
        flushed = 0
        while let write = queue.popFirst() { write.promise?.fail(error) }
        if case .some(let promise) = pendingCloseOutput {
            pendingCloseOutput = nil
            promise?.fail(error)
        }
    }
}

@available(*, unavailable)
extension PacedWriteHandler: Sendable {}
