internal import CHiredis

/// An incremental RESP parser over hiredis's `redisReader`: feed bytes as they arrive
/// from the socket, then call `next()` until it returns nil.
///
/// After a protocol error the reader is unusable (the stream position is unknown), and every
/// later call throws the same error; the connection must be closed.
///
/// Not thread-safe: a reader belongs to one connection.
public final class RESPReader {
    /// The redisReader*.
    private let reader: UnsafeMutablePointer<redisReader>
    /// The first protocol error, repeated by every later call.
    private var failure: RedisError?

    /// Creates an empty reader.
    public init() {
        guard let reader = redisReaderCreate() else {
            fatalError("redisReaderCreate: out of memory")
        }
        self.reader = reader
    }

    deinit {
        redisReaderFree(reader)
    }

    /// Appends bytes received from the server.
    public func feed(_ bytes: [UInt8]) throws {
        if let failure { throw failure }
        guard !bytes.isEmpty else { return }
        let status = bytes.withUnsafeBytes { buffer in
            redisReaderFeed(reader, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
        }
        guard status == REDIS_OK else { throw fail() }
    }

    /// The next complete reply, or nil if more bytes are needed.
    /// Throws `RedisError.protocolError` with hiredis's message for malformed input.
    public func next() throws -> RESPValue? {
        if let failure { throw failure }
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw fail() }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return try Self.value(of: reply.assumingMemoryBound(to: redisReply.self).pointee)
    }

    private func fail() -> RedisError {
        let message = withUnsafeBytes(of: reader.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let error = RedisError(.protocolError, message.isEmpty ? "RESP protocol error (hiredis error \(reader.pointee.err))" : message)
        failure = error
        return error
    }

    private static func value(of reply: redisReply) throws -> RESPValue {
        switch reply.type {
        case REDIS_REPLY_STATUS:
            return .string(text(reply))
        case REDIS_REPLY_ERROR:
            return .error(text(reply))
        case REDIS_REPLY_INTEGER:
            return .integer(reply.integer)
        case REDIS_REPLY_NIL:
            return .bulk(nil)
        case REDIS_REPLY_STRING:
            return .bulk(bytes(reply))
        case REDIS_REPLY_ARRAY:
            var elements: [RESPValue] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                guard let element = reply.element[index] else {
                    throw RedisError(.protocolError, "hiredis returned a missing array element")
                }
                elements.append(try value(of: element.pointee))
            }
            return .array(elements)
        default:
            throw RedisError(.protocolError, "unknown hiredis reply type \(reply.type)")
        }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let str = reply.str, reply.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: str, count: reply.len))
    }

    private static func text(_ reply: redisReply) -> String {
        String(decoding: bytes(reply), as: UTF8.self)
    }
}
