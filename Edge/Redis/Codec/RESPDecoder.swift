import NIOCore

/// Turns the bytes Redis sends into `RESPValue`s by feeding them to hiredis's `RESPReader`.
///
/// Malformed input fails with `RedisError.protocolError`. To bound memory, the bytes buffered
/// since the last complete reply are counted; once they exceed `maxReplySize` decoding fails with
/// `.replyTooLarge` instead of buffering forever. (The count is reset when a reply completes, so a
/// reply may overshoot the limit by at most one read, typically ≤ 64 KiB.) After an error,
/// `ByteToMessageHandler` stops decoding and the command handler closes the connection.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    /// The hiredis parser; owned by this decoder, used only on the channel's event loop.
    private let reader = RESPReader()
    /// The largest reply accepted, in bytes.
    let maxReplySize: Int
    /// Bytes fed to the reader since the last complete reply.
    private var pendingBytes = 0

    init(maxReplySize: Int) {
        self.maxReplySize = maxReplySize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes > 0 else { return .needMoreData }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        pendingBytes += bytes.count
        do {
            try reader.feed(bytes)
            while let value = try reader.next() {
                pendingBytes = 0
                context.fireChannelRead(wrapInboundOut(value))
            }
        } catch let error as RedisError where error.code == .protocolError {
            throw RedisError(.protocolError, "invalid RESP from server: \(error.message)")
        }
        if pendingBytes > maxReplySize {
            throw RedisError(.replyTooLarge, "reply exceeds the \(maxReplySize)-byte limit")
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A truncated reply at EOF is dropped; its command fails with `.connectionClosed`.
        try decode(context: context, buffer: &buffer)
    }
}
