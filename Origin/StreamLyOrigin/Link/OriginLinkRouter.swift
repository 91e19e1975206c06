import Foundation
import Logging
import NIOCore
import StreamLyLink
import StreamLyProtocol

/// Answers the requests edges send over the link. Methods are named
/// `area.verb`; the `sys.*` family is for operators and load testers
/// (documented in `Protocol/README.md`, "Methods").
struct OriginLinkRouter: Sendable {
    let nodeID: String
    let logger: Logger
    /// Largest `sys.source` body.
    static let maxSourceBytes = 1 << 40

    /// Serves one connection until it closes.
    func serve(_ connection: LinkConnection) async {
        await withDiscardingTaskGroup { group in
            for await inbound in connection.inbound {
                switch inbound {
                case .request(let request):
                    group.addTask { await self.handle(request) }
                case .message(let message):
                    logger.debug("link message", metadata: ["topic": "\(message.topic)"])
                }
            }
        }
    }

    func handle(_ request: LinkInboundRequest) async {
        do {
            switch request.method {
            case "sys.ping":
                try await request.responder.respond(status: 200, body: ByteBuffer(string: #"{"node":"\#(nodeID)"}"#))
            case "sys.echo":
                let writer = try await request.responder.startResponse(status: 200, metadata: request.metadata)
                for try await chunk in request.body { try await writer.write(chunk) }
                try await writer.finish()
            case "sys.sink":
                var total = 0
                for try await chunk in request.body { total += chunk.readableBytes }
                try await request.responder.respond(status: 200, metadata: ["bytes": String(total)])
            case "sys.source":
                guard let count = request.metadata["bytes"].flatMap(Int.init), (0...Self.maxSourceBytes).contains(count) else {
                    try await request.responder.respond(status: 400, body: Self.error("bad_request", "sys.source needs metadata bytes=N"))
                    return
                }
                let writer = try await request.responder.startResponse(status: 200)
                let block = ByteBuffer(repeating: 0x5A, count: 64 * 1_024)
                var left = count
                while left > 0 {
                    let piece = min(left, block.readableBytes)
                    try await writer.write(block.getSlice(at: 0, length: piece)!)
                    left -= piece
                }
                try await writer.finish()
            default:
                try await request.responder.respond(
                    status: 404, body: Self.error("unknown_method", "no such method: \(request.method)"))
            }
        } catch {
            logger.debug("link request failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
            request.responder.reset(.internalError, reason: "request failed")
        }
    }

    static func error(_ code: String, _ message: String) -> ByteBuffer {
        let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ByteBuffer(string: #"{"error":{"code":"\#(code)","message":"\#(escaped)"}}"#)
    }
}
