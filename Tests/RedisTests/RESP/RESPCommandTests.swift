@testable import StreamLyRedis
import Testing

@Suite struct RESPCommandTests {
    @Test func goldenBytes() {
        #expect(RESPCommand.format(["SET", "k", "v"]) == Array("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".utf8))
        #expect(RESPCommand.format(["PING"]) == Array("*1\r\n$4\r\nPING\r\n".utf8))
    }

    @Test func binaryAndEmptyArgumentsAreLengthPrefixed() {
        #expect(RESPCommand.format([Array("SET".utf8), [], [0, 13, 10]])
            == Array("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$3\r\n".utf8) + [0, 13, 10] + Array("\r\n".utf8))
    }

    @Test func utf8Arguments() {
        #expect(RESPCommand.format(["ECHO", "héllo"]) == Array("*2\r\n$4\r\nECHO\r\n$6\r\nhéllo\r\n".utf8))
    }
}
