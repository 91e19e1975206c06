import Foundation
import Logging
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyOriginNative
import StreamLyProtocol

/// Reads every committed message from `streamly.chat.events` (a consumer group of its
/// own, so each origin sees all events), wakes the publishers waiting on this origin
/// and pushes the event to every edge linked to this origin as a `chat.message` MESSAGE.
/// A rejection record (header `rejected`: a publish the sequencer gave up) wakes its
/// publisher with the error and goes nowhere else.
struct EventFanout: Sendable {
    let pending: PendingPublishes
    let edges: @Sendable () -> [LinkConnection]
    let logger: Logger

    /// Runs until `consumer` closes (returns) or fails (throws).
    func run(_ consumer: KafkaConsumer) async throws {
        for try await record in consumer.records {
            await handle(record)
        }
    }

    private func handle(_ record: KafkaRecord) async {
        func header(_ name: String) -> String? {
            record.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        let channel = String(decoding: record.key ?? [], as: UTF8.self)
        if let code = header("rejected") {
            // A publish the sequencer gave up: its publisher (if waiting here) gets the error;
            // nothing goes to the edges.
            guard let author = header("author"), let clientID = header("client-id") else { return }
            pending.resolve(PendingPublishes.key(channel: channel, author: author, clientID: clientID),
                            with: .rejected(code: API.ErrorCode(code), message: header("message") ?? "the message was not stored"),
                            attempt: header("attempt") ?? "")
            return
        }
        guard let seq = header("seq").flatMap(Int64.init), let author = header("author"), let clientID = header("client-id"),
              let id = header("message-id") else { return }
        pending.resolve(PendingPublishes.key(channel: channel, author: author, clientID: clientID),
                        with: .published(ChatLinkBodies.Published(channel: channel, seq: seq, id: id,
                                                                  duplicate: header("duplicate") == "true")))
        let message = LinkFrame.Message(
            topic: ChatLink.Topic.message,
            metadata: [ChatLink.Metadata.channel: channel, ChatLink.Metadata.seq: String(seq)],
            payload: ByteBuffer(bytes: record.value))
        for edge in edges() where edge.peer.role == .edge {
            do { try await edge.send(message) } catch {
                logger.debug("fan-out: push failed", metadata: ["edge": "\(edge.peer.nodeID)", "error": "\(error)"])
            }
        }
    }
}
