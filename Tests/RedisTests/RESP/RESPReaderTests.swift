@testable import StreamLyRedis
import Testing

@Suite struct RESPReaderTests {
    @Test func nestedArrayFedOneByteAtATime() throws {
        let wire = Array("*4\r\n:1\r\n*2\r\n$3\r\nfoo\r\n$-1\r\n+OK\r\n$5\r\na\r\nbc\r\n".utf8)
        let reader = RESPReader()
        var replies: [RESPValue] = []
        for (index, byte) in wire.enumerated() {
            try reader.feed([byte])
            if let reply = try reader.next() {
                replies.append(reply)
                #expect(index == wire.count - 1, "complete only after the last byte")
            }
        }
        #expect(replies == [
            .array([.integer(1), .array([.bulk(Array("foo".utf8)), .bulk(nil)]), .string("OK"), .bulk(Array("a\r\nbc".utf8))]),
        ])
        #expect(try reader.next() == nil)
    }

    @Test func severalRepliesInOneFeed() throws {
        let reader = RESPReader()
        try reader.feed(Array("+PONG\r\n-ERR unknown command\r\n:-42\r\n$0\r\n\r\n*0\r\n".utf8))
        #expect(try reader.next() == .string("PONG"))
        #expect(try reader.next() == .error("ERR unknown command"))
        #expect(try reader.next() == .integer(-42))
        #expect(try reader.next() == .bulk([]))
        #expect(try reader.next() == .array([]))
        #expect(try reader.next() == nil)
    }

    @Test func malformedReplyIsAnErrorAndSticks() throws {
        let reader = RESPReader()
        try reader.feed(Array("?what\r\n".utf8))
        let error = #expect(throws: RedisError.self) { try reader.next() }
        #expect(error?.code == .protocolError)
        #expect(error?.message.contains("Protocol error") == true)
        // The stream position is lost: later input is refused with the same error.
        let again = #expect(throws: RedisError.self) { try reader.feed(Array("+OK\r\n".utf8)) }
        #expect(again == error)
    }

    @Test func badBulkLengthIsAnError() throws {
        let reader = RESPReader()
        try reader.feed(Array("$abc\r\n".utf8))
        #expect(throws: RedisError.self) { try reader.next() }
    }

    @Test func formattedCommandParsesBack() throws {
        let arguments: [[UInt8]] = [Array("SET".utf8), [0, 13, 10, 255], []]
        let reader = RESPReader()
        try reader.feed(RESPCommand.format(arguments))
        #expect(try reader.next() == .array(arguments.map { .bulk($0) }))
    }
}
