import NIOCore
import StreamLyLink
import StreamLyProtocol
import Testing

/// Requests answered on the connection's event loop (`LinkLoopHandler`), without a task.
@Suite("Loop handler")
struct LinkLoopHandlerTests {
    static func start() async throws -> TestServer {
        try await TestServer.start(loopHandler: LinkDiagnostics.loopHandler(nodeID: "test-origin"))
    }

    @Test("sys.ping and whole-body sys.echo are answered on the loop, never reaching inbound")
    func wholeBodies() async throws {
        let server = try await Self.start()
        let connection = try await server.connect()
        let ping = try await connection.request("sys.ping")
        #expect(ping.status == 200)
        #expect(String(buffer: try await ping.body.collect(upTo: 1_024)) == #"{"node":"test-origin"}"#)
        for size in [0, 1, 64, 60_000] {
            let body = ByteBuffer(repeating: 0x41, count: size)
            let response = try await connection.request("sys.echo", metadata: ["k": "v"], body: body)
            #expect(response.status == 200)
            #expect(response.metadata["k"] == "v")
            #expect(try await response.body.collect(upTo: 1 << 20) == body)
        }
        #expect(server.inboundRequests.value == 0)
        await connection.close()
        await server.stop()
    }

    @Test("sys.sink and sys.source stream bodies larger than the stream window on the loop")
    func streamedBodies() async throws {
        let server = try await Self.start()
        let connection = try await server.connect()
        let total = 5 << 20  // five default stream windows: credit must flow back
        let (writer, response) = try await connection.streamingRequest("sys.sink")
        let chunk = ByteBuffer(repeating: 0x5A, count: 100_000)
        var left = total
        while left > 0 {
            let piece = min(left, chunk.readableBytes)
            try await writer.write(chunk.getSlice(at: 0, length: piece)!)
            left -= piece
        }
        try await writer.finish()
        let sunk = try await response()
        #expect(sunk.status == 200)
        #expect(sunk.metadata["bytes"] == String(total))

        let source = try await connection.request("sys.source", metadata: ["bytes": String(total + 7)])
        #expect(source.status == 200)
        var received = 0
        for try await piece in source.body {
            #expect(piece.readableBytesView.allSatisfy { $0 == 0x5A })
            received += piece.readableBytes
        }
        #expect(received == total + 7)
        let empty = try await connection.request("sys.source", metadata: ["bytes": "0"])
        #expect(try await empty.body.collect(upTo: 1).readableBytes == 0)
        let bad = try await connection.request("sys.source", metadata: ["bytes": "-1"])
        #expect(bad.status == 400)
        #expect(server.inboundRequests.value == 0)
        await connection.close()
        await server.stop()
    }

    @Test("requests the loop handler declines take the task path")
    func declined() async throws {
        let server = try await Self.start()
        let connection = try await server.connect()
        let unknown = try await connection.request("test.unknown")
        #expect(unknown.status == 404)
        // A streamed sys.echo waits for its writer's credit: it is left to a task.
        let (writer, response) = try await connection.streamingRequest("sys.echo")
        try await writer.write(ByteBuffer(string: "abc"))
        try await writer.finish(ByteBuffer(string: "def"))
        let echoed = try await response()
        #expect(String(buffer: try await echoed.body.collect(upTo: 1_024)) == "abcdef")
        #expect(server.inboundRequests.value == 2)
        await connection.close()
        await server.stop()
    }

    @Test("a body read on the loop that the peer abandons ends with its error; the connection goes on")
    func abandonedBody() async throws {
        let server = try await Self.start()
        let connection = try await server.connect()
        let (writer, response) = try await connection.streamingRequest("sys.sink")
        try await writer.write(ByteBuffer(repeating: 1, count: 10_000))
        writer.cancel()
        await #expect(throws: LinkError.self) { _ = try await response() }
        let ping = try await connection.request("sys.ping")
        #expect(ping.status == 200)
        await connection.close()
        await server.stop()
    }
}
