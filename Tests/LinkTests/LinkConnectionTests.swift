import Crypto
import NIOCore
import StreamLyLink
import StreamLyProtocol
import Testing

@Suite("Link over loopback TCP")
struct LinkConnectionTests {
    @Test("request/response and authenticated peer identity")
    func requestResponse() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        #expect(connection.peer.nodeID == "test-origin" && connection.peer.role == .origin)
        let response = try await connection.request("sys.ping")
        #expect(response.status == 200)
        let body = try await response.body.collect(upTo: 1_024)
        #expect(String(buffer: body) == #"{"node":"test-origin"}"#)
        let missing = try await connection.request("no.such")
        #expect(missing.status == 404)
        await connection.close()
        await server.stop()
    }

    @Test("a streamed body of 64 MiB is echoed back byte for byte")
    func streamedEcho() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        let (writer, response) = try await connection.streamingRequest("sys.echo")
        let total = 64 << 20
        async let received: (Int, SHA256.Digest) = {
            var hash = SHA256()
            var count = 0
            for try await chunk in try await response().body {
                chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                count += chunk.readableBytes
            }
            return (count, hash.finalize())
        }()
        var sent = SHA256()
        var offset = 0
        let pattern = ByteBuffer(bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) })
        while offset < total {
            let size = min(100_003, total - offset)
            let chunk = pattern.getSlice(at: offset % 99_991, length: size)!
            chunk.withUnsafeReadableBytes { sent.update(bufferPointer: $0) }
            try await writer.write(chunk)
            offset += size
        }
        try await writer.finish()
        let (count, digest) = try await received
        #expect(count == total)
        #expect(digest == sent.finalize())
        await connection.close()
        await server.stop()
    }

    @Test("many concurrent requests on one connection all complete")
    func concurrentRequests() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<500 {
                group.addTask {
                    let response = try await connection.request("sys.echo", body: ByteBuffer(string: "request \(i)"))
                    let body = try await response.body.collect(upTo: 1_024)
                    return String(buffer: body) == "request \(i)" ? 1 : 0
                }
            }
            var ok = 0
            for try await result in group { ok += result }
            #expect(ok == 500)
        }
        await connection.close()
        await server.stop()
    }

    @Test("submit: requests from the connection's event loop, answered through futures")
    func submitFromTheLoop() async throws {
        let server = try await TestServer.start()
        let connection = try await server.connect()
        let bodies = try await connection.eventLoop.flatSubmit {
            let futures = (0..<200).map { i in
                connection.submit("sys.echo", body: ByteBuffer(string: "request \(i)")).map { response in
                    response.status == 200 ? response.body.completeBuffer.map { String(buffer: $0) } : nil
                }
            }
            return EventLoopFuture.whenAllSucceed(futures, on: connection.eventLoop)
        }.get()
        #expect(bodies == (0..<200).map { "request \($0)" })
        let missing = try await connection.submit("no.such").get()
        #expect(missing.status == 404)
        await #expect(throws: LinkError.self) { try await connection.submit("").get() }
        await connection.close()
        await #expect(throws: LinkError.self) { try await connection.submit("sys.ping").get() }
        await server.stop()
    }

    @Test("a wrong cluster secret is refused with AUTH_FAILED")
    func wrongSecret() async throws {
        let server = try await TestServer.start()
        await #expect {
            _ = try await server.connect(secret: "a-completely-different-secret-of-32-bytes")
        } throws: { error in
            (error as? LinkError)?.protocolCode == .authFailed
        }
        #expect(server.server.connectionCount == 0)
        await server.stop()
    }

    @Test("secrets shorter than 32 bytes are rejected at configuration time")
    func shortSecret() {
        #expect(throws: LinkError.self) { try ClusterSecretAuthenticator(secret: "short") }
    }

    @Test("a non-StreamLy client is disconnected with a protocol error")
    func garbageClient() async throws {
        let server = try await TestServer.start()
        let reply = try await RawClient.exchange(port: server.port, send: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        var buffer = ByteBuffer(bytes: reply)
        let frames = try? LinkFrameParser.nextFrame(from: &buffer, maxFrameSize: 1 << 20)
        guard case .goAway(let goAway) = frames else { Issue.record("expected GOAWAY, got \(reply.count) bytes"); return }
        #expect(goAway.code == .frameSizeError)
        await server.stop()
    }

    @Test("GOAWAY on server shutdown: the client stops sending and open streams finish")
    func drainOnShutdown() async throws {
        // The drain outlasts any scheduling delay on a loaded machine: the server closes as
        // soon as the open stream finishes, so a long limit costs nothing when it passes.
        let server = try await TestServer.start(drainTimeout: .seconds(60))
        let connection = try await server.connect()
        #expect(connection.isAcceptingRequests)
        // sys.echo answers its head at once, so once we hold the head the origin owns the stream.
        let (writer, response) = try await connection.streamingRequest("sys.echo")
        try await writer.write(ByteBuffer(repeating: 1, count: 1_000))
        let answer = try await response()
        await server.group.triggerGracefulShutdown()
        let deadline = ContinuousClock.now + .seconds(5)
        while connection.isAcceptingRequests, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!connection.isAcceptingRequests)
        await #expect(throws: LinkError.self) { _ = try await connection.request("sys.ping") }
        try await writer.finish(ByteBuffer(repeating: 1, count: 1_000))
        let echoed = try await answer.body.collect(upTo: 10_000)
        #expect(echoed.readableBytes == 2_000)
        _ = await server.task.result
    }
}
