import NIOCore
import StreamLyProtocol

extension LinkDiagnostics {
    /// Answers the `sys.*` methods on the connection's event loop, with no task per request
    /// (they only move bytes); every other request goes on to the connection's `inbound`.
    public static func loopHandler(nodeID: String) -> LinkLoopHandler {
        let ping = pingBody(nodeID: nodeID)
        return LinkLoopHandler { request in
            do {
                return try handleOnLoop(request, ping: ping)
            } catch {
                request.reset(.internalError, reason: "\(request.method) failed")
                return true
            }
        }
    }

    private static func handleOnLoop(_ request: LinkLoopRequest, ping: ByteBuffer) throws -> Bool {
        switch request.method {
        case "sys.ping":
            try request.respond(status: 200, body: ping)
        case "sys.echo":
            // A streamed echo waits for its writer's credit: that stays on the task path.
            guard let whole = request.completeBody else { return false }
            try request.respond(status: 200, metadata: request.metadata, body: whole)
        case "sys.sink":
            var total = 0
            request.readBody { chunk in
                total += chunk.readableBytes
            } end: { error in
                if error != nil { return }
                do {
                    try request.respond(status: 200, metadata: ["bytes": String(total)])
                } catch {
                    request.reset(.internalError, reason: "sys.sink failed")
                }
            }
        case "sys.source":
            guard let count = request.metadata["bytes"].flatMap(Int.init), (0...maxSourceBytes).contains(count) else {
                try request.respond(
                    status: 400, body: errorBody("bad_request", "sys.source needs metadata bytes=0...\(maxSourceBytes)"))
                return true
            }
            let block = sourceBlock
            var left = count
            try request.respond(status: 200) {
                let piece = min(left, block.readableBytes)
                left -= piece
                return (block.getSlice(at: 0, length: piece)!, left == 0)
            }
        default:
            return false
        }
        return true
    }

    /// What `sys.source` sends, 64 KiB at a time.
    static let sourceBlock = ByteBuffer(repeating: 0x5A, count: 64 * 1_024)
}
