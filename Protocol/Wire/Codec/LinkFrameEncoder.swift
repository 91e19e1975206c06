import NIOCore

/// Writes `LinkFrame`s as bytes, coalescing: frames written between two flushes are encoded
/// into one buffer, which goes down the pipeline as one write at the flush (one iovec, one
/// pending-write record and one allocation per burst, not per frame). Large body chunks are
/// not copied: their header joins the buffer, which is written, and the body buffer follows.
///
/// The channel's writability counts a burst's bytes once the burst is written (at the flush, a
/// large body, or `coalesceLimit`), so a writer that loops while the channel is writable may
/// pass the high-water mark by up to `coalesceLimit` plus one frame.
public final class LinkFrameEncoder: ChannelOutboundHandler {
    public typealias OutboundIn = LinkFrame
    public typealias OutboundOut = ByteBuffer

    /// Bodies at least this large are written without copying.
    static let zeroCopyThreshold = 8_192
    /// A burst's buffer is written (not flushed) once it holds this much.
    static let coalesceLimit = 65_536
    /// The smallest buffer a burst starts with.
    static let initialCapacity = 1_024

    /// Frames encoded since the last write, and the promise that completes with them (the
    /// promises of later frames in the burst are cascaded from it).
    private var pending: ByteBuffer?
    private var pendingPromise: EventLoopPromise<Void>?

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        if case .data(let chunk) = frame, chunk.body.readableBytes >= Self.zeroCopyThreshold {
            var header = take(context, capacity: LinkFrameHeader.size, minimum: LinkFrameHeader.size)
            LinkFrameHeader(
                length: UInt32(chunk.body.readableBytes), type: .data,
                flags: chunk.endStream ? .endStream : [], streamID: chunk.streamID
            ).write(to: &header)
            pending = header
            writePending(context: context)
            context.write(wrapOutboundOut(chunk.body), promise: promise)
            return
        }
        var buffer = take(context, capacity: LinkFrameHeader.size + 64 + frame.flowControlledLength,
                          minimum: Self.initialCapacity)
        frame.encode(into: &buffer)
        pending = buffer
        if let promise {
            if let pendingPromise {
                pendingPromise.futureResult.cascade(to: promise)
            } else {
                pendingPromise = promise
            }
        }
        if buffer.readableBytes >= Self.coalesceLimit { writePending(context: context) }
    }

    public func flush(context: ChannelHandlerContext) {
        writePending(context: context)
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // Unflushed frames go to the channel, which fails them on close as it would have.
        writePending(context: context)
        context.close(mode: mode, promise: promise)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        pending = nil
        pendingPromise?.fail(ChannelError.ioOnClosedChannel)
        pendingPromise = nil
    }

    /// The burst's buffer with room for `capacity` more bytes (a new one, of at least
    /// `minimum` bytes, if none is open).
    private func take(_ context: ChannelHandlerContext, capacity: Int, minimum: Int) -> ByteBuffer {
        guard var buffer = pending else {
            return context.channel.allocator.buffer(capacity: max(capacity, minimum))
        }
        pending = nil  // unique again, so reserving and appending do not copy
        buffer.reserveCapacity(minimumWritableBytes: capacity)
        return buffer
    }

    private func writePending(context: ChannelHandlerContext) {
        guard let buffer = pending else { return }
        let promise = pendingPromise
        pending = nil
        pendingPromise = nil
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}
