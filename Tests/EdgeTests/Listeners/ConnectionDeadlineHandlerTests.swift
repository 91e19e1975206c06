import Metrics
import NIOCore
import NIOEmbedded
import Testing
import StreamLyListeners

@Suite("Connection deadline")
struct ConnectionDeadlineHandlerTests {
    struct Disarm {}

    static func channel(timeout: TimeAmount) throws -> (EmbeddedChannel, EmbeddedEventLoop) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(
            timeout: timeout, expired: Counter(label: "test_deadline_expired")) { $0 is Disarm })
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, loop)
    }

    @Test("a connection whose phase does not end in time is closed; bytes alone do not help")
    func expires() throws {
        let (channel, loop) = try Self.channel(timeout: .seconds(10))
        loop.advanceTime(by: .seconds(9))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nX-a: b\r\n"))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        _ = try? channel.finish()
    }

    @Test("the disarming event ends the deadline and the handler leaves the pipeline")
    func disarmed() throws {
        let (channel, loop) = try Self.channel(timeout: .seconds(10))
        channel.pipeline.fireUserInboundEventTriggered(Disarm())
        loop.run()
        #expect((try? channel.pipeline.syncOperations.handler(type: ConnectionDeadlineHandler.self)) == nil)
        loop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "passes through"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "passes through"))
        _ = try channel.finish()
    }

    @Test("other events pass through and do not disarm it")
    func otherEvents() throws {
        let (channel, loop) = try Self.channel(timeout: .seconds(5))
        channel.pipeline.fireUserInboundEventTriggered("something else")
        loop.advanceTime(by: .seconds(5))
        #expect(!channel.isActive)
        _ = try? channel.finish()
    }
}
