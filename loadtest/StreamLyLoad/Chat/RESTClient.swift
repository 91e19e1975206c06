import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 JSON client for the set-up calls (signup, channel creation): one
/// connection per request, `Connection: close`. Only a few hundred calls per run.
struct RESTClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let group: any EventLoopGroup
    /// Largest response body accepted.
    static let maxBody = 1 << 20

    /// POSTs `body` as JSON to `path` on `edge` and decodes a 2xx answer as `Answer`.
    func post<Answer: Decodable>(_ path: String, on edge: EdgeAddress, body: some Encodable, token: String? = nil,
                                 as: Answer.Type) async throws -> Answer {
        let (status, bytes) = try await send(.POST, path, on: edge, body: try JSONEncoder().encode(body), token: token)
        guard (200..<300).contains(status) else {
            throw Failure(description: "POST \(path) on \(edge): \(status) \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: bytes)
        } catch {
            throw Failure(description: "POST \(path) on \(edge): unexpected answer \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
    }

    func send(_ method: HTTPMethod, _ path: String, on edge: EdgeAddress, body: Data, token: String?)
        async throws -> (status: Int, body: Data)
    {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .connect(host: edge.host, port: edge.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: edge.authority)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil)])
            var status = 0
            var collected = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let response):
                    status = Int(response.status.code)
                case .body(var chunk):
                    guard collected.readableBytes + chunk.readableBytes <= Self.maxBody else {
                        throw Failure(description: "\(method) \(path): response over \(Self.maxBody) bytes")
                    }
                    collected.writeBuffer(&chunk)
                case .end:
                    return (status, Data(collected.readableBytesView))
                }
            }
            throw Failure(description: "\(method) \(path) on \(edge): connection closed before the response ended")
        }
    }
}
