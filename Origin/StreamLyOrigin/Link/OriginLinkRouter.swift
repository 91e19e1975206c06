import Logging
import NIOCore
import StreamLyLink
import StreamLyProtocol

/// Answers the requests edges send over the link. Methods are named `area.verb`;
/// unknown methods get status 404 with a JSON error body.
struct OriginLinkRouter: Sendable {
    let nodeID: String
    let chat: ChatRouter
    let attachments: AttachmentRouter
    let videos: VideoRouter
    let videoInfo: VideoInfoRouter
    let vod: VODRouter
    let logger: Logger

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
            if try await chat.handle(request) { return }
            if try await videos.handle(request) { return }
            if try await attachments.handle(request) { return }
            if try await videoInfo.handle(request) { return }
            if try await vod.handle(request) { return }
            if try await LinkDiagnostics.handle(request, nodeID: nodeID) { return }
            try await request.responder.respond(
                status: 404, body: LinkDiagnostics.errorBody("unknown_method", "no such method: \(request.method)"))
        } catch {
            logger.debug("link request failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
            request.responder.reset(.internalError, reason: "request failed")
        }
    }
}
