import NIOCore

/// `ByteToMessageDecoder` over `LinkFrameParser`: bytes in, `LinkFrame`s out.
/// A malformed frame fires a `LinkProtocolError`, which the connection handler
/// turns into a GOAWAY carrying its code.
public struct LinkFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = LinkFrame

    public var maxFrameSize: UInt32

    public init(maxFrameSize: UInt32 = LinkSettings().maxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: maxFrameSize) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
