import NIOCore

/// Splits received bytes into `LinkFrame`s like `ByteToMessageHandler(LinkFrameDecoder)`,
/// but copies only the bytes of a frame that spans two reads: frames that lie within one
/// read come out as slices of it. (`ByteToMessageHandler` appends every read to its
/// buffer once a partial frame is left over, which with 64 KiB frames is nearly always:
/// a copy of every body byte, 13% of the CPU of a `sys.sink` upload in `perf`.)
///
/// Errors are those of `LinkFrameParser`; after the first one the reader drops all input.
public final class LinkFrameReader: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = LinkFrame

    /// Largest payload accepted (this peer's MAX_FRAME_SIZE).
    public let maxFrameSize: UInt32
    /// The start of a frame whose end has not arrived yet.
    private var partial: ByteBuffer?
    private var failed = false

    public init(maxFrameSize: UInt32 = LinkSettings().maxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        do {
            if partial != nil {
                guard let frame = try completePartial(from: &input) else { return }
                context.fireChannelRead(wrapInboundOut(frame))
            }
            while let frame = try LinkFrameParser.nextFrame(from: &input, maxFrameSize: maxFrameSize) {
                context.fireChannelRead(wrapInboundOut(frame))
            }
            if input.readableBytes > 0 { partial = input }
        } catch {
            failed = true
            partial = nil
            context.fireErrorCaught(error)
        }
    }

    /// Moves into `partial` just the bytes of `input` that complete its frame; returns the
    /// frame, or nil (all of `input` taken) while it is still incomplete.
    private func completePartial(from input: inout ByteBuffer) throws -> LinkFrame? {
        var buffer = partial!
        partial = nil
        if buffer.readableBytes < LinkFrameHeader.size {
            var piece = input.readSlice(length: min(LinkFrameHeader.size - buffer.readableBytes, input.readableBytes))!
            buffer.writeBuffer(&piece)
        }
        // With a complete header this refuses an oversized length or unknown type at once.
        if buffer.readableBytes >= LinkFrameHeader.size {
            if let frame = try LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: maxFrameSize) { return frame }
            let length = Int(buffer.getInteger(at: buffer.readerIndex, as: UInt32.self)!)
            let missing = LinkFrameHeader.size + length - buffer.readableBytes
            buffer.reserveCapacity(minimumWritableBytes: missing)
            var piece = input.readSlice(length: min(missing, input.readableBytes))!
            buffer.writeBuffer(&piece)
        }
        if buffer.readableBytes >= LinkFrameHeader.size, let frame = try LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: maxFrameSize) {
            return frame
        }
        partial = buffer
        return nil
    }
}
