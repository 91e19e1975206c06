import Logging
import NIOCore
import StreamLyLink
import StreamLyProtocol

/// Answers the requests edges send over the link, dispatching each by method name through
/// `LinkMethods.table`; unknown methods get status 404 with a JSON error body.
struct OriginLinkRouter: Sendable {
    let nodeID: String
    let accounts: AccountsRouter
    let chat: ChatRouter
    let attachments: AttachmentRouter
    let video: VideoFeature
    let directory: EdgeDirectoryRouter
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
            if let server = LinkMethods.server(for: request.method), try await handle(request, by: server) { return }
            try await request.responder.respond(
                status: 404, body: LinkDiagnostics.errorBody("unknown_method", "no such method: \(request.method)"))
        } catch {
            logger.debug("link request failed", metadata: ["method": "\(request.method)", "error": "\(error)"])
            request.responder.reset(.internalError, reason: "request failed")
        }
    }

    /// Hands `request` to `server`; false if it did not take it.
    private func handle(_ request: LinkInboundRequest, by server: LinkMethods.Server) async throws -> Bool {
        switch server {
        case .accounts: try await accounts.handle(request)
        case .chat: try await chat.handle(request)
        case .attachments: try await attachments.handle(request)
        case .videoUploads: try await video.uploads.handle(request)
        case .videoInfo: try await video.info.handle(request)
        case .videoObjects: try await video.objects.handle(request)
        case .diagnostics: try await LinkDiagnostics.handle(request, nodeID: nodeID)
        case .edgeDirectory: try await directory.handle(request)
        }
    }
}
