import Logging
import NIOCore
import StreamLyAPI
import StreamLyLink
import StreamLyOriginNative
import StreamLyProtocol

/// Reads every video event from `<ns>.vod.events` (a group of its own, so each origin sees
/// all of them) and pushes it to every linked edge as a `vod.video` MESSAGE.
struct VideoEventFanout: Sendable {
    let consumer: KafkaConsumer
    let edges: @Sendable () -> [LinkConnection]
    let logger: Logger

    func run() async {
        do {
            for try await record in consumer.records {
                let video = String(decoding: record.key ?? [], as: UTF8.self)
                guard !video.isEmpty else { continue }
                let message = LinkFrame.Message(topic: VODLink.Topic.video, metadata: [VODLink.Metadata.video: video],
                                                payload: ByteBuffer(bytes: record.value))
                for edge in edges() where edge.peer.role == .edge {
                    do { try await edge.send(message) } catch {
                        logger.debug("video event push failed", metadata: ["edge": "\(edge.peer.nodeID)", "error": "\(error)"])
                    }
                }
            }
        } catch {
            logger.error("video event consumer failed", metadata: ["error": "\(error)"])
        }
    }
}
