import AsyncHTTPClient
import NIOCore
import NIOPosix
@testable import StreamLyStorage
import Synchronization
import Testing

/// A server that closes a connection the moment a request arrives on it, `dropFirst` times, then
/// answers 200: what a client sees when it reuses a keep-alive connection the server has closed.
@Suite struct S3ClientStaleConnectionTests {
    /// Requests seen, across the server's connections.
    final class Count: Sendable {
        let value = Atomic<Int>(0)
        func load() -> Int { value.load(ordering: .relaxed) }
    }

    final class ClosingServer: Sendable {
        let channel: any Channel
        let requests = Count()
        var port: Int { channel.localAddress!.port! }

        init(dropFirst: Int) async throws {
            let requests = self.requests
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.addHandler(Handler(requests: requests, dropFirst: dropFirst))
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }

        func close() async { try? await channel.close() }

        /// Reads one request (head and `Content-Length` body), then drops or answers it.
        final class Handler: ChannelInboundHandler, @unchecked Sendable {
            typealias InboundIn = ByteBuffer
            typealias OutboundOut = ByteBuffer
            let requests: Count
            let dropFirst: Int
            var received: [UInt8] = []

            init(requests: Count, dropFirst: Int) {
                self.requests = requests
                self.dropFirst = dropFirst
            }

            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                received += Array(unwrapInboundIn(data).readableBytesView)
                let text = String(decoding: received, as: UTF8.self)
                guard let end = text.range(of: "\r\n\r\n") else { return }
                let head = text[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                guard received.count >= text[..<end.upperBound].utf8.count + length else { return }
                received = []
                if requests.value.add(1, ordering: .relaxed).newValue <= dropFirst {
                    context.close(promise: nil)
                } else {
                    let answer = "HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: 0\r\n\r\n"
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
                }
            }
        }
    }

    static func client(port: Int) throws -> S3Client {
        S3Client(configuration: try S3Configuration(endpoint: "http://127.0.0.1:\(port)", region: "us-east-1",
                                                    bucket: "b", accessKeyID: "k", secretAccessKey: "s"))
    }

    @Test func anIdempotentRequestIsSentOnceMoreAfterAStaleConnection() async throws {
        let server = try await ClosingServer(dropFirst: 1)
        let client = try Self.client(port: server.port)
        _ = try await client.putObject(key: "x", bytes: ByteBuffer(string: "hello"), contentType: nil)
        #expect(server.requests.load() == 2)
        await server.close()
    }

    @Test func aSecondCloseIsAnErrorAndNonIdempotentRequestsAreNotRepeated() async throws {
        let server = try await ClosingServer(dropFirst: 2)
        let client = try Self.client(port: server.port)
        await #expect(throws: HTTPClientError.remoteConnectionClosed) {
            _ = try await client.putObject(key: "x", bytes: ByteBuffer(string: "hello"), contentType: nil)
        }
        #expect(server.requests.load() == 2)
        let posts = try await ClosingServer(dropFirst: 1)
        await #expect(throws: HTTPClientError.remoteConnectionClosed) {
            _ = try await Self.client(port: posts.port).createMultipartUpload(key: "x", contentType: nil)
        }
        #expect(posts.requests.load() == 1)
        await server.close()
        await posts.close()
    }
}
