import NIOCore

/// Writes `LinkFrame`s as bytes. Large body chunks are not copied: their header
/// goes out as its own small buffer followed by the body buffer itself.
public final class LinkFrameEncoder: ChannelOutboundHandler {
    public typealias OutboundIn = LinkFrame
    public typealias OutboundOut = ByteBuffer

    /// Bodies at least this large are written without copying.
    static let zeroCopyThreshold = 8_192

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        if case .data(let chunk) = frame, chunk.body.readableBytes >= Self.zeroCopyThreshold {
            var header = context.channel.allocator.buffer(capacity: LinkFrameHeader.size)
            LinkFrameHeader(
                length: UInt32(chunk.body.readableBytes), type: .data,
                flags: chunk.endStream ? .endStream : [], streamID: chunk.streamID
            ).write(to: &header)
            context.write(wrapOutboundOut(header), promise: nil)
            context.write(wrapOutboundOut(chunk.body), promise: promise)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: LinkFrameHeader.size + 64 + frame.flowControlledLength)
        frame.encode(into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }
}
