import NIOCore

/// RFC 4571 §2 framing of RTP, RTCP, STUN and DTLS over a TCP connection (ICE-TCP, RFC 6544
/// §3): each packet is preceded by its length as a 16-bit big-endian integer.
struct RFC4571FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Frames longer than this close the connection (an outsider controls the length).
    let maximumFrameLength: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return .needMoreData }
        guard Int(length) <= maximumFrameLength else { throw FrameTooLong(length: Int(length)) }
        guard buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }

    struct FrameTooLong: Error {
        var length: Int
    }
}

/// Prefixes each outgoing packet with its 16-bit length (RFC 4571 §2).
final class RFC4571FrameEncoder: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let packet = unwrapOutboundIn(data)
        guard packet.readableBytes <= Int(UInt16.max) else {
            promise?.fail(RFC4571FrameDecoder.FrameTooLong(length: packet.readableBytes))
            return
        }
        var header = context.channel.allocator.buffer(capacity: 2)
        header.writeInteger(UInt16(packet.readableBytes))
        context.write(wrapOutboundOut(header), promise: nil)
        context.write(wrapOutboundOut(packet), promise: promise)
    }
}
