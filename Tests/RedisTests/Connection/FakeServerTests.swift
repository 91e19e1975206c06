import NIOCore
import NIOPosix
import StreamLyRedis
import Testing

/// A tiny TCP server that answers every read with canned bytes: a misbehaving "Redis".
final class FakeRedisServer: Sendable {
    private final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: [UInt8]
        init(reply: [UInt8]) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil)
        }
    }

    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(reply: [UInt8]) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }

    func configuration(maxReplySize: Int = 64 << 20) -> RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, connectionWait: .milliseconds(500), maxReplySize: maxReplySize)
    }
}

@Suite struct FakeServerTests {
    @Test func garbageFailsThePendingCommandWithAProtocolError() async throws {
        let server = try await FakeRedisServer(reply: Array("!bad\r\n".utf8))
        let connection = try await RedisConnection.connect(configuration: server.configuration())
        async let first = outcome { try await connection.send("PING") }
        async let second = outcome { try await connection.send("PING") }
        for result in await [first, second] {
            guard case .failure(let error as RedisError) = result else {
                Issue.record("expected a RedisError, got \(result)")
                continue
            }
            #expect(error.code == RedisError.Code.protocolError || error.code == RedisError.Code.connectionClosed)
        }
        #expect(await RedisTestSupport.eventually(timeout: .seconds(2)) { !connection.isActive }, "connection closed")
        await #expect(throws: RedisError.self) { try await connection.send("PING") }
        await server.close()
    }

    @Test func protocolErrorIsReportedToTheCaller() async throws {
        let server = try await FakeRedisServer(reply: Array("!bad\r\n".utf8))
        let connection = try await RedisConnection.connect(configuration: server.configuration())
        let error = await #expect(throws: RedisError.self) { try await connection.send("PING") }
        #expect(error?.code == .protocolError)
        #expect(error?.message.contains("Protocol error") == true, "hiredis's message is kept: \(String(describing: error))")
        await server.close()
    }

    @Test func oversizedReplyClosesTheConnection() async throws {
        // Announces a 100 MB bulk string and streams 256 KiB of it.
        let server = try await FakeRedisServer(reply: Array("$100000000\r\n".utf8) + [UInt8](repeating: 0x61, count: 256 << 10))
        let connection = try await RedisConnection.connect(configuration: server.configuration(maxReplySize: 64 << 10))
        let error = await #expect(throws: RedisError.self) { try await connection.send("GET", "big") }
        #expect(error?.code == .replyTooLarge)
        await server.close()
    }

    @Test func clientSurvivesAMisbehavingServer() async throws {
        let server = try await FakeRedisServer(reply: Array("!bad\r\n".utf8))
        let client = RedisClient(configuration: server.configuration())
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            for _ in 0..<3 {
                let error = await #expect(throws: RedisError.self) { try await client.send("PING") }
                #expect(error?.code == .protocolError || error?.code == .unavailable || error?.code == .connectionClosed)
            }
            client.close()
        }
        await server.close()
    }
}

/// The result of an async throwing call.
func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
