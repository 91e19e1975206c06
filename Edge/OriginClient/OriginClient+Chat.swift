import NIOCore
import StreamLyAPI

extension OriginClient {
    /// The message events of `channel` with seq in (`after`, `before`), for a hub that saw a
    /// gap: `chat.gap`, answered with a replay body.
    func gap(channel: String, after: Int64, before: Int64) async throws -> [(seq: Int64, event: ByteBuffer)] {
        var (_, lines) = try await call(
            ChatLink.Method.gap, user: nil,
            body: ChatLinkBodies.History(channel: channel, after: after, before: before, limit: nil))
        var events: [(seq: Int64, event: ByteBuffer)] = []
        while let line = lines.readNextLine() { events.append(line) }
        return events
    }
}
