import Foundation
import NIOCore
import StreamLyAPI
import StreamLyStore

/// The WebSocket `message` event for a committed message, encoded once on the origin
/// and forwarded byte for byte by edges (docs/api.md).
enum MessageEvent {
    private struct Event: Encodable {
        let op = "message"
        var channel: String
        var seq: Int64
        var id: String
        var client_id: String
        var author: String
        var body: String
        var ts: String
        var attachments: [API.Attachment]?
    }

    static func encode(channel: UUID, seq: Int64, id: UUID, clientID: String, authorID: UUID,
                       body: String, createdAt: Date, attachments: [MessageAttachment]) -> ByteBuffer {
        let event = Event(
            channel: channel.uuidString.lowercased(), seq: seq, id: id.uuidString.lowercased(), client_id: clientID,
            author: authorID.uuidString.lowercased(), body: body,
            ts: timestamp(createdAt), attachments: attachments.isEmpty ? nil : attachments.map(AttachmentRouter.api))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(event)) ?? Data())
    }

    /// RFC 3339 with milliseconds, UTC.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
