import NIOCore
import NIOEmbedded
import NIOTestUtils
@testable import StreamLyRedis
import Testing

@Suite struct RESPCodecTests {
    @Test func decoderHandlesEverySplit() throws {
        let wire = "+OK\r\n-ERR bad\r\n:42\r\n$5\r\na\r\n\0b\r\n$-1\r\n*2\r\n$1\r\nx\r\n:1\r\n"
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [(wire, [
                .string("OK"), .error("ERR bad"), .integer(42), .bulk(Array("a\r\n\0b".utf8)), .bulk(nil),
                .array([.bulk(Array("x".utf8)), .integer(1)]),
            ])],
            decoderFactory: { RESPDecoder(maxReplySize: 1 << 20) }
        )
    }

    @Test func garbageIsAProtocolError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder(maxReplySize: 1 << 20)))
        let error = #expect(throws: RedisError.self) {
            try channel.writeInbound(ByteBuffer(string: "!bad\r\n"))
        }
        #expect(error?.code == .protocolError)
        _ = try? channel.finish()
    }

    @Test func oversizedReplyIsRejectedBeforeItCompletes() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder(maxReplySize: 1024)))
        try channel.writeInbound(ByteBuffer(string: "$100000\r\n" + String(repeating: "a", count: 1000)))
        let error = #expect(throws: RedisError.self) {
            try channel.writeInbound(ByteBuffer(string: String(repeating: "a", count: 1000)))
        }
        #expect(error?.code == .replyTooLarge)
        _ = try? channel.finish()
    }

    @Test func manySmallRepliesNeverTripTheLimit() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder(maxReplySize: 64)))
        for _ in 0..<100 {
            try channel.writeInbound(ByteBuffer(string: "+OK\r\n+OK\r\n"))
        }
        var count = 0
        while try channel.readInbound(as: RESPValue.self) != nil { count += 1 }
        #expect(count == 200)
        #expect(try channel.finish().isClean)
    }

    @Test func encoderWritesHiredisFormattedCommand() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(RESPEncoder()))
        try channel.writeOutbound(["SET", "k", RedisArgument([0, 13, 10])] as [RedisArgument])
        let bytes = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(bytes.readableBytesView) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0, 13, 10, 13, 10])
        #expect(try channel.finish().isClean)
    }

    @Test func pushMessagesParse() {
        let message = RedisPubSubMessage(push: .array([.bulk(Array("message".utf8)), .bulk(Array("ch".utf8)), .bulk([0, 1])]))
        #expect(message == RedisPubSubMessage(channel: "ch", payload: [0, 1]))
        let pattern = RedisPubSubMessage(push: .array([
            .bulk(Array("pmessage".utf8)), .bulk(Array("c*".utf8)), .bulk(Array("ch".utf8)), .bulk(Array("x".utf8)),
        ]))
        #expect(pattern == RedisPubSubMessage(channel: "ch", pattern: "c*", payload: Array("x".utf8)))
        #expect(RedisPubSubMessage(push: .array([.bulk(Array("subscribe".utf8)), .bulk(Array("ch".utf8)), .integer(1)])) == nil)
        #expect(RedisPubSubMessage(push: .integer(1)) == nil)
    }
}
