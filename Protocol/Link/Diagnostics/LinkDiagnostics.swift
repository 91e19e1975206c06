import Foundation
import NIOCore
import StreamLyProtocol

/// The `sys.*` methods every link server answers, for operators, health probes
/// and load testers (`Protocol/README.md`, "Methods"). They only move bytes.
public enum LinkDiagnostics {
    /// Largest `sys.source` body.
    public static let maxSourceBytes = 1 << 40

    /// Answers `request` if it is a `sys.*` method; returns false otherwise.
    public static func handle(_ request: LinkInboundRequest, nodeID: String) async throws -> Bool {
        switch request.method {
        case "sys.ping":
            try await request.responder.respond(status: 200, body: pingBody(nodeID: nodeID))
        case "sys.echo":
            if let whole = request.body.completeBuffer {
                // The body came whole in the REQUEST: answer in one RESPONSE frame.
                try await request.responder.respond(status: 200, metadata: request.metadata, body: whole)
                return true
            }
            let writer = try await request.responder.startResponse(status: 200, metadata: request.metadata)
            for try await chunk in request.body { try await writer.write(chunk) }
            try await writer.finish()
        case "sys.sink":
            var total = 0
            for try await chunk in request.body { total += chunk.readableBytes }
            try await request.responder.respond(status: 200, metadata: ["bytes": String(total)])
        case "sys.source":
            guard let count = request.metadata["bytes"].flatMap(Int.init), (0...maxSourceBytes).contains(count) else {
                try await request.responder.respond(
                    status: 400, body: errorBody("bad_request", "sys.source needs metadata bytes=0...\(maxSourceBytes)"))
                return true
            }
            let writer = try await request.responder.startResponse(status: 200)
            let block = sourceBlock
            var left = count
            while left > 0 {
                let piece = min(left, block.readableBytes)
                try await writer.write(block.getSlice(at: 0, length: piece)!)
                left -= piece
            }
            try await writer.finish()
        default:
            return false
        }
        return true
    }

    /// What `sys.ping` answers: `{"node":…}`.
    static func pingBody(nodeID: String) -> ByteBuffer {
        ByteBuffer(string: #"{"node":"\#(jsonEscaped(nodeID))"}"#)
    }

    /// `{"error":{"code":…,"message":…}}`, the body of every non-2xx link response.
    public static func errorBody(_ code: String, _ message: String) -> ByteBuffer {
        ByteBuffer(string: #"{"error":{"code":"\#(jsonEscaped(code))","message":"\#(jsonEscaped(message))"}}"#)
    }

    /// Escapes a string for use inside JSON quotes.
    static func jsonEscaped(_ message: String) -> String {
        var escaped = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
